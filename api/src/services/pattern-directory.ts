/**
 * Template ids and texts as the processor holds them: its last snapshot of a project's miner plus
 * the journal written since (see stored-state.ts in @faultline/intelligence), so a merge the
 * processor made a second ago already resolves here. And the answer to "which template does this
 * event belong to": the event's stored template id followed to its live template.
 */
import { toUuid } from '@faultline/core/schema'
import { httpError } from '@faultline/core/http'
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'
import type { Platform } from '@faultline/core/platform'
import {
  templateJournalCollection,
  templateMinersCollection,
  templateVariables,
  type TemplateJournalDoc,
  type TemplateMinerDoc,
} from '@faultline/intelligence'

/** Template ids of a project: stored id → live id, and live id → template text. */
export class TemplateDirectory {
  readonly texts = new Map<string, string>()
  readonly #aliases: Record<string, string> = {}

  constructor(doc: TemplateMinerDoc | null, journal: readonly TemplateJournalDoc[] = []) {
    for (const c of doc?.state.clusters ?? []) this.texts.set(c.id, c.tokens.join(' '))
    Object.assign(this.#aliases, doc?.state.aliases)
    for (const { changes } of [...journal].sort((a, b) => a.at - b.at)) {
      for (const t of changes.upserted) this.texts.set(t.id, t.tokens.join(' '))
      for (const id of changes.removed) this.texts.delete(id)
      Object.assign(this.#aliases, changes.aliases)
    }
    for (const id of Object.keys(this.#aliases)) this.texts.delete(id)
  }

  resolve(id: string): string {
    let current = id
    for (let hops = 0; hops < 64 && this.#aliases[current] !== undefined; hops++) current = this.#aliases[current]!
    return current
  }

  knows(id: string): boolean {
    return this.texts.has(id) || this.#aliases[id] !== undefined
  }

  /** Parallel arrays for ClickHouse's `transform(template_id, from, to, template_id)`. */
  mapping(): { from: string[]; to: string[] } {
    const from = Object.keys(this.#aliases)
    return { from, to: from.map((id) => this.resolve(id)) }
  }

  /** Every stored id that resolves to one of `live`. */
  storedIds(live: string[]): string[] {
    const wanted = new Set(live)
    return [...live, ...Object.keys(this.#aliases).filter((id) => wanted.has(this.resolve(id)))]
  }
}

const collections = new WeakMap<MetadataStore, Promise<[TenantCollection<TemplateMinerDoc>, TenantCollection<TemplateJournalDoc>]>>()

export async function templateDirectory(metadata: MetadataStore, orgId: string, projectId: string): Promise<TemplateDirectory> {
  let opened = collections.get(metadata)
  if (!opened) {
    opened = Promise.all([
      TenantCollection.open<TemplateMinerDoc>(metadata, templateMinersCollection),
      TenantCollection.open<TemplateJournalDoc>(metadata, templateJournalCollection),
    ])
    collections.set(metadata, opened)
    opened.catch(() => collections.delete(metadata))
  }
  const [snapshots, journal] = await opened
  const [doc, entries] = await Promise.all([snapshots.get(orgId, projectId), journal.find(orgId, { projectId })])
  return new TemplateDirectory(doc, entries)
}

export interface EventPattern {
  eventId: string
  /** The live template now (a template the event joined may have been merged since). */
  templateId: string
  template: string
  /** The template as the event was stored with it. */
  storedTemplateId: string
  storedTemplate: string
  /** The event's values at the live template's variables, in order. */
  variables: string[]
}

/** The template one event belongs to; 404 for an unknown event or one stored without a template. */
export async function eventPattern(db: Pick<Platform, 'eventStore' | 'metadata'>, orgId: string, projectId: string, eventId: string): Promise<EventPattern> {
  const { client, database } = db.eventStore
  const result = await client.query({
    // The text the processor mined (templates/event-templater.ts templateText).
    query: `SELECT template_id, template,
              if(message != '', message, if(exception_value != '', exception_value, if(exception_type != '', exception_type, title))) AS text
            FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND event_id = {eventId:UUID} LIMIT 1`,
    query_params: { project: Number(projectId), eventId: toUuid(eventId) },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ template_id: string; template: string; text: string }>()
  if (!row) throw httpError(404, `No event ${eventId} in project ${projectId}`)
  if (row.template_id === '') throw httpError(404, `Event ${eventId} has no template: the miner failed on it (see the processor log)`)
  const directory = await templateDirectory(db.metadata, orgId, projectId)
  const live = directory.resolve(row.template_id)
  const template = directory.texts.get(live) ?? row.template
  return {
    eventId,
    templateId: live,
    template,
    storedTemplateId: row.template_id,
    storedTemplate: row.template,
    variables: templateVariables(template.split(' '), row.text) ?? [],
  }
}
