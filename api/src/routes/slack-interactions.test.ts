/**
 * Slack's buttons: Slack wants an answer within 3 s, so the route answers at 2.5 s while a slow
 * action is still running and lets it finish in the background, and answers a quick action once
 * it is done. The clock is vitest's fake one: the action waits on a gate the test opens, so what
 * is checked is the cutoff itself, not how fast this machine happens to be.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { alertingSecretName, openAlertingStores, slackSignature, SlackActions, type AlertingStores } from '@faultline/alerting'
import { problemErrorHandler } from '@faultline/core/http'
import { ApiHarness } from '../testing/api-harness'
import { slackInteractionRoutes, slackSigningSecret } from './slack-interactions'

const signingSecret = 'slack-signing-secret-for-tests'
let h: ApiHarness
let stores: AlertingStores
let app: Hono
let orgId: string

beforeAll(async () => {
  h = await ApiHarness.start()
  orgId = (await h.organization('Acme'))._id
  stores = await openAlertingStores(h.platform.metadata)
  await h.platform.secrets.put(alertingSecretName(orgId, slackSigningSecret), signingSecret)
  app = new Hono()
  app.onError(problemErrorHandler(h.platform.logger))
  app.route('/', slackInteractionRoutes(h.platform, stores))
}, 60_000)
afterAll(() => h?.close())
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

let serial = 0
async function triggeredGroup(): Promise<string> {
  const seen = { groupKey: `group-${serial++}`, receiver: 'slack', labels: {}, title: 'Slow button', firing: ['alert'], issues: [], allMuted: false }
  return (await stores.groups.observe(orgId, seen, Date.now())).doc._id
}

function pressAcknowledge(group: string): Promise<Response> {
  const body = new URLSearchParams({
    payload: JSON.stringify({ type: 'block_actions', user: { id: 'U1', username: 'alice' }, actions: [{ action_id: SlackActions.acknowledge, value: JSON.stringify({ org: orgId, group }) }] }),
  }).toString()
  const timestamp = String(Math.floor(Date.now() / 1000))
  return Promise.resolve(
    app.request(`/orgs/${orgId}/integrations/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature(signingSecret, timestamp, body) },
      body,
    }),
  )
}

const stateOf = async (group: string) => (await stores.groups.get(orgId, group))?.state

describe('Slack interactions: the answer cutoff', () => {
  it('answers a quick action once it is done', async () => {
    const group = await triggeredGroup()
    const response = await pressAcknowledge(group)
    expect(response.status).toBe(200)
    expect(await stateOf(group)).toBe('acknowledged')
  })

  it('answers at 2.5 s while a slow action still runs, and the action then finishes in the background', async () => {
    const group = await triggeredGroup()
    let started!: () => void
    const actionStarted = new Promise<void>((resolve) => (started = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const acknowledge = stores.groups.acknowledge.bind(stores.groups)
    vi.spyOn(stores.groups, 'acknowledge').mockImplementation(async (...args) => {
      started()
      await gate
      return acknowledge(...args)
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let answered = false
    const response = pressAcknowledge(group).then((r) => {
      answered = true
      return r
    })
    await actionStarted
    await vi.advanceTimersByTimeAsync(2_499)
    expect(answered, 'answered before the 2.5 s a quick action is given').toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => expect(answered, 'no answer at 2.5 s while the action still runs').toBe(true), { timeout: 60_000 })
    expect((await response).status).toBe(200)
    expect(await stateOf(group)).toBe('triggered')

    release()
    await vi.waitFor(async () => expect(await stateOf(group)).toBe('acknowledged'), { timeout: 60_000 })
  })
})
