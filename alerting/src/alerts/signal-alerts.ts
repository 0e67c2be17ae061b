/**
 * Security detections (signals on the `signals` subject) as alerts, so the routing tree, grouping,
 * silences, inhibition and receivers treat them like any other alert. Labels are the signal's
 * routing labels (`kind="security_detection"`, `rule`, `severity`, `project` and the detection's
 * group fields with `.` as `_`, e.g. `source_ip`) plus `alertname`; a detection fires for
 * `resolveAfterMs` unless the rule finds its group again, as Alertmanager resolves alerts that
 * stop being sent.
 */
import type { SignalMessage } from '@faultline/core/detections'
import { fingerprintOf, type Alert } from './alert'

export const signalResolveAfterMs = 15 * 60_000

export function signalAlert(signal: SignalMessage, now: number): Alert {
  const labels: Record<string, string> = { alertname: signal.ruleName }
  for (const [name, value] of Object.entries(signal.labels)) labels[name.replace(/[^A-Za-z0-9_]/g, '_')] = value
  return {
    fingerprint: fingerprintOf(labels),
    labels,
    annotations: { summary: signal.summary, detection: signal.id, events: String(signal.count), first_event_at: new Date(signal.firstAt).toISOString() },
    startsAt: signal.firstAt,
    endsAt: now + signalResolveAfterMs,
    updatedAt: now,
  }
}
