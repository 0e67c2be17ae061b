/** A schedule's on-call person now, and a new calendar (iCal) feed address for it. */
import { alertingApi, type AlertingClient, type OnCall } from '$lib/api/alerting'
import { FormAction } from './form-action.svelte'

export type ScheduleClient = Pick<AlertingClient, 'schedules'>

export class OnCallState {
  current = $state.raw<OnCall | null>(null)
  feedUrl = $state<string | null>(null)
  readonly action = new FormAction()
  readonly #orgId: string
  readonly #client: ScheduleClient

  constructor(orgId: string, client: ScheduleClient = alertingApi) {
    this.#orgId = orgId
    this.#client = client
  }

  lookUp(schedule: string): Promise<unknown> {
    return this.action.run(async () => {
      this.current = null
      this.feedUrl = null
      this.current = await this.#client.schedules.onCall(this.#orgId, schedule)
    })
  }

  /** Makes a new feed address for the schedule shown (the previous address stops working). */
  newFeed(): Promise<unknown> {
    const schedule = this.current?.schedule
    if (!schedule) return Promise.resolve(undefined)
    return this.action.run(async () => {
      this.feedUrl = (await this.#client.schedules.newFeed(this.#orgId, schedule)).url
    }, 'New feed address made')
  }
}
