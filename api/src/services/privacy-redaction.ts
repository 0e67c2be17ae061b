/**
 * The parts of an erasure outside the event store: issues made only of the person's events are
 * deleted and other issues' texts lose the person's identifiers; template samples lose them
 * (tokens become wildcards, which a miner merging its state keeps, as it widens tokens that
 * differ); and dead letters carrying the person's events are discarded.
 */
import type { Platform } from '@faultline/core/platform'
import { TenantCollection } from '@faultline/core/tenancy'
import type { Bus, MetadataStore } from '@faultline/core/ports'
import { Subjects } from '@faultline/core/ports'
import { FILTERED } from '@faultline/core/privacy'
import { decodeErrorMessage } from '@faultline/core/schema'
import { templateJournalCollection, templateMinersCollection, wildcard, type TemplateJournalDoc, type TemplateMinerDoc } from '@faultline/intelligence'
import type { SubjectMatch } from './data-subject'

/** Shorter literals (`42`) would match unrelated text. */
const MIN_LITERAL = 3

export async function redactIssues(
  platform: Pick<Platform, 'issues' | 'eventStore'>,
  orgId: string,
  projectId: string,
  subjectEventsPerIssue: Map<string, number>,
  literals: string[],
): Promise<{ deleted: number; updated: number }> {
  const ids = [...subjectEventsPerIssue.keys()]
  const totals = await eventsPerIssue(platform, projectId, ids)
  const owned = ids.filter((id) => (totals.get(id) ?? 0) <= subjectEventsPerIssue.get(id)!)
  let deleted = 0
  if (owned.length > 0) {
    await platform.issues.fingerprints.deleteMany(orgId, { projectId, issueId: { $in: owned } })
    deleted = await platform.issues.issues.deleteMany(orgId, { projectId, _id: { $in: owned } })
  }
  let updated = 0
  for (const literal of literals.filter((l) => l.length >= MIN_LITERAL)) {
    for (const issue of await platform.issues.issues.find(orgId, { projectId, searchText: { $contains: literal.toLowerCase() } }, { limit: 10_000 })) {
      const redact = (text: string) => replaceAllCaseless(text, literal, FILTERED)
      await platform.issues.issues.findOneAndUpdate(
        orgId,
        { _id: issue._id },
        { $set: { title: redact(issue.title), value: redact(issue.value), culprit: redact(issue.culprit), searchText: redact(issue.searchText) } },
      )
      updated++
    }
  }
  return { deleted, updated }
}

async function eventsPerIssue(platform: Pick<Platform, 'eventStore'>, projectId: string, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const { client, database } = platform.eventStore
  const rows = await (
    await client.query({
      query: `SELECT issue_id, count() AS events FROM ${database}.error_events WHERE project_id = {project:UInt64} AND issue_id IN {ids:Array(String)} GROUP BY issue_id`,
      query_params: { project: Number(projectId), ids },
      format: 'JSONEachRow',
    })
  ).json<{ issue_id: string; events: number }>()
  return new Map(rows.map((row) => [row.issue_id, Number(row.events)]))
}

/**
 * Replaces tokens naming the person with wildcards in the miner's snapshot (saved on the revision
 * it read, retried on a race) and in the journal entries written after it, which replay onto it.
 */
export async function redactTemplates(metadata: MetadataStore, orgId: string, projectId: string, literals: string[]): Promise<number> {
  const needles = literals.filter((l) => l.length >= MIN_LITERAL).map((l) => l.toLowerCase())
  if (needles.length === 0) return 0
  const names = (token: string) => needles.some((needle) => token.toLowerCase().includes(needle))
  const redact = <T extends { tokens: string[] }>(template: T): T => ({ ...template, tokens: template.tokens.map((token) => (names(token) ? wildcard : token)) })
  const redactedIn = <T extends { tokens: string[] }>(templates: T[]) => templates.filter((t) => t.tokens.some(names)).length

  let redacted = 0
  const journal = await TenantCollection.open<TemplateJournalDoc>(metadata, templateJournalCollection)
  for (const entry of await journal.find(orgId, { projectId }, { limit: 100_000 })) {
    const count = redactedIn(entry.changes.upserted)
    if (count === 0) continue
    await journal.findOneAndUpdate(orgId, { _id: entry._id }, { $set: { changes: { ...entry.changes, upserted: entry.changes.upserted.map(redact) } } })
    redacted += count
  }

  const miners = await TenantCollection.open<TemplateMinerDoc>(metadata, templateMinersCollection)
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await miners.get(orgId, projectId)
    if (!doc) return redacted
    const count = redactedIn(doc.state.clusters)
    if (count === 0) return redacted
    const state = { ...doc.state, clusters: doc.state.clusters.map(redact) } as TemplateMinerDoc['state']
    const saved = await miners.findOneAndUpdate(orgId, { _id: projectId, revision: doc.revision }, { $set: { state, updatedAt: Date.now() }, $inc: { revision: 1 } })
    if (saved) return redacted + count
  }
  throw new Error('the template samples kept changing while being redacted; the erasure retries them')
}

/** Dead letters of the project whose event is the person's. */
export async function discardSubjectDeadLetters(bus: Bus, projectId: string, match: SubjectMatch): Promise<number> {
  const values = new Set([...match.ids, ...match.usernames, ...match.emails, ...match.ips].map((value) => value.toLowerCase()))
  let discarded = 0
  let afterSeq: number | undefined
  for (;;) {
    const page = await bus.listDeadLetters(Subjects.errors, { afterSeq, limit: 500 })
    if (page.length === 0) return discarded
    for (const letter of page) {
      const decoded = decodeErrorMessage(letter.data)
      if (!decoded.ok || decoded.message.projectId !== projectId) continue
      const user = decoded.message.event.user as Record<string, unknown> | undefined
      const fields = [user?.id, user?.username, user?.email, user?.ip_address, decoded.message.clientIp].map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : String(v)))
      if (fields.some((field) => values.has(field)) && (await bus.discardDeadLetter(Subjects.errors, letter.seq))) discarded++
    }
    afterSeq = page.at(-1)!.seq
  }
}

function replaceAllCaseless(text: string, needle: string, replacement: string): string {
  const lower = text.toLowerCase()
  const target = needle.toLowerCase()
  let out = ''
  let from = 0
  for (let at = lower.indexOf(target); at >= 0; at = lower.indexOf(target, from)) {
    out += text.slice(from, at) + replacement
    from = at + needle.length
  }
  return out + text.slice(from)
}
