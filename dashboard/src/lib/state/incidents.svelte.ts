/** Incidents of an organization: the list (declare a new one), and one incident with its timeline, status, notes and responders. */
import { alertingApi, type AlertingClient, type Incident, type IncidentDetail, type IncidentSeverityName, type IncidentStatusName } from '$lib/api/alerting'
import { FormAction } from './form-action.svelte'
import { NoteTimeline } from './note-timeline.svelte'
import { ResourceList } from './resource.svelte'

export type IncidentClient = Pick<AlertingClient, 'incidents'>

export class IncidentListState {
  readonly list: ResourceList<Incident>
  readonly #orgId: string
  readonly #client: IncidentClient

  constructor(orgId: string, status: IncidentStatusName | undefined, client: IncidentClient = alertingApi) {
    this.#orgId = orgId
    this.#client = client
    this.list = new ResourceList(async () => (await client.incidents.list(orgId, status)).data)
  }

  /** Declares an incident; answers its id. */
  async declare(body: { title: string; severity: IncidentSeverityName; commander?: string }): Promise<string | undefined> {
    return (await this.list.change(() => this.#client.incidents.declare(this.#orgId, body), `Declared “${body.title}”`))?._id
  }
}

export class IncidentState {
  incident = $state.raw<IncidentDetail | null>(null)
  loading = $state(true)
  error = $state<unknown>(null)
  readonly action = new FormAction()
  /** The incident's whole timeline (declaration, alerts, status changes, notes); notes are added to it. */
  readonly notes = new NoteTimeline(
    this.action,
    () => (this.incident?.timeline ?? []).map(({ _id, at, kind, text, by }) => ({ id: _id, at, kind, text, ...(by && { by }) })),
    (text, notice) => this.#change(() => this.#client.incidents.addNote(this.#orgId, this.#id, text), notice),
  )
  readonly #orgId: string
  readonly #id: string
  readonly #client: IncidentClient

  constructor(orgId: string, incidentId: string, client: IncidentClient = alertingApi) {
    this.#orgId = orgId
    this.#id = incidentId
    this.#client = client
  }

  async load(): Promise<void> {
    this.loading = true
    try {
      this.incident = await this.#client.incidents.get(this.#orgId, this.#id)
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  setStatus(status: IncidentStatusName, message: string): Promise<unknown> {
    return this.#change(() => this.#client.incidents.setStatus(this.#orgId, this.#id, status, message), `Status set to ${status}`)
  }

  addResponder(name: string): Promise<unknown> {
    return this.#change(() => this.#client.incidents.addResponder(this.#orgId, this.#id, name), `${name} added as a responder`)
  }

  /** Runs a change, then reads the incident back: the change wrote to its timeline. */
  #change(run: () => Promise<unknown>, notice: string): Promise<unknown> {
    return this.action.run(async () => {
      await run()
      this.incident = await this.#client.incidents.get(this.#orgId, this.#id)
    }, notice)
  }
}
