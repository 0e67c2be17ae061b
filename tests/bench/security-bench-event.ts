/**
 * The security bench's events (issue 15): mixed actions over many addresses and users, so the
 * detections have groups to look at. Used by the load generator that sends them and by the bench's
 * JSON yardstick.
 */
import { randomUUID } from 'node:crypto'

const actions = ['authn_login_success', 'authn_login_fail', 'authz_fail', 'session_created', 'input_validation_fail', 'sensitive_read', 'excess_rate_limit_exceeded']

export function securityBenchEvent(i: number): Record<string, unknown> {
  return {
    'event.id': randomUUID(),
    'event.action': actions[i % actions.length],
    'source.ip': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    'user.name': `user${i % 5000}`,
    'url.original': `/api/items/${i % 997}?page=2`,
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) bench',
    message: `request ${i} handled`,
  }
}
