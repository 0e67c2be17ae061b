/**
 * Faultline's own audit records (sign-ins, lockouts, MFA, tokens, access denials, changes) as
 * security events of one designated project (`SECURITY_AUDIT_PROJECT`), so its timeline and
 * detections show attacks on Faultline itself. A designated project rather than an instance-level
 * stream: the timeline, rules, permissions and retention then apply unchanged. It receives the
 * instance-wide records (sign-in attempts, setup) and those of the project's own organization,
 * never another organization's.
 *
 * One replica follows the log under a lease, from a cursor kept in the metadata store; events are
 * published before the cursor moves, with ids derived from the record's hash, so a crash in between
 * republishes the same events, which the bus and the writer take once. The records are Faultline's
 * own (its users' sign-in names, addresses and user agents, as the audit log holds them) and are
 * not scrubbed.
 */
import { createHash } from 'node:crypto'
import type { AuditDoc } from '@faultline/core/audit'
import { describeError } from '@faultline/core/errors'
import type { Platform } from '@faultline/core/platform'
import type { Collection } from '@faultline/core/ports'
import { encodeSecurityMessage, normalizeSecurityEvent, securityMessageId, type SecurityEvent } from '@faultline/core/security'
import { LeasedSchedule } from '../jobs/leased-schedule'

interface CursorDoc {
  _id: string
  seq: number
}

const pageSize = 500

export function auditRecordEvent(doc: AuditDoc): SecurityEvent | undefined {
  const detail: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(doc.detail ?? {})) if (value !== null) detail[key] = value
  const result = normalizeSecurityEvent(
    {
      '@timestamp': doc.at,
      event: { id: createHash('sha256').update(doc.hash).digest('hex').slice(0, 32), action: doc.action, outcome: doc.outcome, provider: 'faultline', ...(typeof detail.reason === 'string' && { reason: detail.reason }) },
      message: `${doc.action} (${doc.outcome})${doc.target ? ` on ${doc.target.type} ${doc.target.id}` : ''}`,
      source: doc.ip ? { ip: doc.ip } : undefined,
      user: doc.actor.type === 'anonymous' && !doc.actor.name ? undefined : { id: doc.actor.type === 'token' ? `token:${doc.actor.id}` : doc.actor.id || undefined, name: doc.actor.name },
      user_agent: doc.userAgent,
      attributes: { ...detail, 'audit.seq': doc.seq, 'audit.actor_type': doc.actor.type, ...(doc.orgId && { 'audit.org_id': doc.orgId }), ...(doc.target && { 'audit.target_type': doc.target.type, 'audit.target_id': doc.target.id }) },
    },
    { receivedAt: doc.at, dataset: 'faultline' },
  )
  return result.ok ? result.event : undefined
}

export class AuditFeed {
  readonly #platform: Platform
  readonly #projectId: string
  readonly #schedule: LeasedSchedule
  #cursor: Collection<CursorDoc> | undefined
  #orgId: string | undefined

  constructor(platform: Platform, projectId: string, intervalMs = 2_000) {
    this.#platform = platform
    this.#projectId = projectId
    this.#schedule = new LeasedSchedule(platform.cache, platform.logger, { key: 'security-audit-feed', intervalMs, offsetMs: 0, leaseTtlMs: intervalMs * 5 }, async () => {
      await this.runOnce()
    })
  }

  start(): void {
    this.#schedule.start()
  }

  stop(): Promise<void> {
    return this.#schedule.stop()
  }

  /** Forwards every record after the cursor; returns how many events were published. */
  async runOnce(now = Date.now()): Promise<number> {
    const cursor = (this.#cursor ??= await this.#platform.metadata.collection<CursorDoc>({ name: 'security_audit_feed', indexes: [] }))
    if (this.#orgId === undefined) {
      const project = await this.#platform.projects.projects.get(this.#projectId)
      if (!project) {
        this.#platform.logger.error('SECURITY_AUDIT_PROJECT names no project; Faultline\'s audit records are not forwarded', { projectId: this.#projectId })
        return 0
      }
      this.#orgId = project.orgId
    }
    let seq = (await cursor.get(this.#projectId))?.seq ?? 0
    let published = 0
    for (;;) {
      const records = await this.#platform.audit.readAfter(seq, pageSize)
      if (records.length === 0) return published
      const events = records.filter((r) => r.orgId === undefined || r.orgId === this.#orgId).flatMap((r) => auditRecordEvent(r) ?? [])
      if (events.length > 0) {
        const message = { v: 1 as const, projectId: this.#projectId, receivedAt: now, events }
        try {
          await this.#platform.bus.publish('security', [{ id: securityMessageId(message), data: encodeSecurityMessage(message) }])
        } catch (error) {
          this.#platform.logger.error('forwarding audit records to the security timeline failed; retried at the next tick', { error: describeError(error) })
          return published
        }
      }
      seq = records.at(-1)!.seq
      await cursor.put({ _id: this.#projectId, seq })
      published += events.length
      if (records.length < pageSize) return published
    }
  }
}
