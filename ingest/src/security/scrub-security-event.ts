/**
 * Scrubbing a security event with the same engine (and so the same rules) as error events. Only
 * the free-form parts go through it: the message, the reason, the URL, the user agent, the
 * attributes and `user.email` (hashed as `user.email` of an error event is). The fields a security
 * event is about (action, outcome, `source.ip`, `user.id`/`user.name`, `related.*`, ids) are its
 * evidence and are kept: an attacker's address is what the timeline, the detections and the geo
 * lookup work on.
 */
import type { SecurityEvent } from '@faultline/core/security'
import type { Scrubber } from '../scrub'

export function scrubSecurityEvent(scrubber: Scrubber, event: SecurityEvent): { event: SecurityEvent; scrubbedCount: number } {
  const view: Record<string, unknown> = {
    message: event.message,
    reason: event.event.reason,
    url: event.url?.original,
    user_agent: event.user_agent?.original,
    attributes: event.attributes,
    ...(event.user?.email !== undefined && { user: { email: event.user.email } }),
  }
  const { event: out, scrubbedCount } = scrubber.scrubEvent(view)
  if (scrubbedCount === 0) return { event, scrubbedCount }
  const scrubbed: SecurityEvent = {
    ...event,
    event: { ...event.event, ...(typeof out.reason === 'string' && { reason: out.reason }) },
    attributes: (out.attributes as SecurityEvent['attributes']) ?? {},
  }
  if (typeof out.message === 'string') scrubbed.message = out.message
  if (typeof out.url === 'string') scrubbed.url = { original: out.url }
  if (typeof out.user_agent === 'string') scrubbed.user_agent = { original: out.user_agent }
  const email = (out.user as { email?: unknown } | undefined)?.email
  if (scrubbed.user && typeof email === 'string') scrubbed.user = { ...scrubbed.user, email }
  return { event: scrubbed, scrubbedCount }
}
