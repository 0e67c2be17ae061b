/**
 * A detection as a signal on the `signals` subject: what the alert router routes (by its labels)
 * and what can open an incident. Typed and versioned like every bus message; the message id is
 * the detection id, so publishing it again (after a crash) is deduplicated by the bus.
 */
import { decodeVersionedJson, type DecodeResult } from '../schema'
import type { Detection } from './engine'

export interface SignalMessageV1 {
  v: 1
  kind: 'security_detection'
  id: string
  projectId: string
  ruleId: string
  ruleName: string
  ruleVersion: string
  severity: string
  summary: string
  group: Record<string, string>
  firstAt: number
  lastAt: number
  detectedAt: number
  count: number
  eventIds: string[]
  /** For routing: `project`, `rule`, `severity`, `kind` and the group's fields. */
  labels: Record<string, string>
}

export type SignalMessage = SignalMessageV1

const encoder = new TextEncoder()

export function signalOf(projectId: string, detection: Detection, detectedAt: number): SignalMessage {
  return {
    v: 1,
    kind: 'security_detection',
    id: detection.id,
    projectId,
    ruleId: detection.ruleId,
    ruleName: detection.ruleName,
    ruleVersion: detection.ruleVersion,
    severity: detection.severity,
    summary: detection.summary,
    group: detection.group,
    firstAt: detection.firstAt,
    lastAt: detection.lastAt,
    detectedAt,
    count: detection.count,
    eventIds: detection.eventIds,
    labels: { project: projectId, rule: detection.ruleId, severity: detection.severity, kind: 'security_detection', ...detection.group },
  }
}

export function encodeSignalMessage(message: SignalMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message))
}

export function decodeSignalMessage(data: Uint8Array): DecodeResult<SignalMessage> {
  const json = decodeVersionedJson<SignalMessageV1>(data)
  if (!json.ok) return json
  const m = json.message
  if (m.v !== 1) return { ok: false, reason: `unsupported schema version ${String(m.v)}` }
  if (m.kind !== 'security_detection' || typeof m.id !== 'string' || typeof m.projectId !== 'string' || typeof m.ruleId !== 'string') return { ok: false, reason: 'not a security detection signal' }
  return { ok: true, message: m as SignalMessageV1 }
}
