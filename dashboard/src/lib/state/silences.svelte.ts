/** Silences of an organization: list, create (matchers, duration, comment), expire. */
import { alertingApi, type AlertingClient, type Silence } from '$lib/api/alerting'
import { ResourceList } from './resource.svelte'

export type SilenceClient = Pick<AlertingClient, 'silences'>

export class SilencesState {
  readonly list: ResourceList<Silence>
  readonly #orgId: string
  readonly #client: SilenceClient

  constructor(orgId: string, client: SilenceClient = alertingApi) {
    this.#orgId = orgId
    this.#client = client
    this.list = new ResourceList(async () => (await client.silences.list(orgId)).data)
  }

  /** Matchers one per line (`severity="critical"`), active from now for `hours`. */
  create(matchersText: string, hours: number, comment: string, now = Date.now()): Promise<unknown> {
    const matchers = matchersText.split('\n').map((m) => m.trim()).filter(Boolean)
    return this.list.change(() => this.#client.silences.create(this.#orgId, { matchers, endsAt: now + hours * 3_600_000, comment }), 'Silence created')
  }

  expire(id: string): Promise<unknown> {
    return this.list.change(() => this.#client.silences.expire(this.#orgId, id), 'Silence expired')
  }
}
