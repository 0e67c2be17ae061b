/**
 * Alert groups of an organization: the list (by state), and one group with what the on-call
 * engineer does to it (acknowledge, resolve, silence for a while, declare an incident from it).
 */
import { alertingApi, type AlertGroup, type AlertGroupStateName, type AlertingClient, type IncidentSeverityName } from '$lib/api/alerting'
import { FormAction } from './form-action.svelte'
import { ResourceList } from './resource.svelte'

export type GroupClient = Pick<AlertingClient, 'groups' | 'incidents'>

export function alertGroupList(orgId: string, state: AlertGroupStateName | undefined, client: GroupClient = alertingApi): ResourceList<AlertGroup> {
  return new ResourceList(async () => (await client.groups.list(orgId, state)).data)
}

export class AlertGroupState {
  group = $state.raw<AlertGroup | null>(null)
  loading = $state(true)
  error = $state<unknown>(null)
  readonly action = new FormAction()
  readonly #orgId: string
  readonly #id: string
  readonly #client: GroupClient

  constructor(orgId: string, groupId: string, client: GroupClient = alertingApi) {
    this.#orgId = orgId
    this.#id = groupId
    this.#client = client
  }

  async load(): Promise<void> {
    this.loading = true
    try {
      this.group = await this.#client.groups.get(this.#orgId, this.#id)
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  acknowledge(): Promise<unknown> {
    return this.action.run(async () => void (this.group = await this.#client.groups.acknowledge(this.#orgId, this.#id)), 'Acknowledged')
  }

  resolve(): Promise<unknown> {
    return this.action.run(async () => void (this.group = await this.#client.groups.resolve(this.#orgId, this.#id)), 'Resolved')
  }

  /** Silences the group's alerts for `minutes`, then reads the group back (its state changed). */
  silence(minutes: number): Promise<unknown> {
    return this.action.run(async () => {
      await this.#client.groups.silence(this.#orgId, this.#id, minutes)
      this.group = await this.#client.groups.get(this.#orgId, this.#id)
    }, `Silenced for ${minutes} minutes`)
  }

  /** Declares an incident from the group; answers its id. */
  async declareIncident(title: string, severity: IncidentSeverityName): Promise<string | undefined> {
    return (await this.action.run(() => this.#client.incidents.declare(this.#orgId, { title, severity, groupId: this.#id }), 'Incident declared'))?._id
  }
}
