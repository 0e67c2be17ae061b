/** The audit log page: records for the URL's filters, newest first, and older pages on demand. */
import { api, type AuditQuery, type AuditRecordView } from '$lib/api'
import { ResourceList } from './resource.svelte'

export const auditFilterKeys = ['action', 'outcome', 'actorId', 'targetType', 'targetId', 'since', 'until'] as const

export class AuditLogState {
  nextCursor = $state<string | null>(null)
  readonly list: ResourceList<AuditRecordView>
  #orgId = ''
  #query: AuditQuery = {}
  #pages: AuditRecordView[] = []

  constructor() {
    this.list = new ResourceList(async () => {
      const page = await api.orgs.audit(this.#orgId, { ...this.#query, limit: 100, ...(this.nextCursor && { cursor: this.nextCursor }) })
      this.#pages = [...this.#pages, ...page.data]
      this.nextCursor = page.nextCursor
      return this.#pages
    })
  }

  load(orgId: string, filters: Record<string, string>): Promise<void> {
    this.#orgId = orgId
    this.#query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v))
    this.#pages = []
    this.nextCursor = null
    return this.list.load()
  }

  more(): Promise<void> {
    return this.list.load()
  }
}
