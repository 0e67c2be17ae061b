/**
 * Slack's interactivity endpoint: the Acknowledge / Resolve / Silence buttons of alert messages.
 * Public in the permission matrix: every request must carry Slack's signature over its body and a
 * fresh timestamp (signing secret: the organization's alerting secret `slack-signing-secret`). Slack wants an answer
 * within 3 s, so an action still running after 2.5 s finishes in the background.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { alertingSecretName, SlackActions, verifySlackSignature, type AlertingStores, type ButtonValue } from '@faultline/alerting'
import type { Platform } from '@faultline/core/platform'
import { describeError } from '@faultline/core/errors'
import { httpError } from '@faultline/core/http'
import { acknowledgeGroup, resolveGroup, silenceGroup } from '../services/alerting-actions'
import { orgIdSchema } from '../services/alerting-actor'
import { requires, type ApiEnv } from '../permissions'
import { parseParam } from '../validation'

export const slackSigningSecret = 'slack-signing-secret'
export const maxInteractionBytes = 64 * 1024
const answerWithinMs = 2_500

const payloadSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().max(1_000) })).min(1),
})
const valueSchema = z.object({ org: z.string(), group: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) })

export function slackInteractionRoutes(platform: Platform, stores: AlertingStores): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  // Public in the permission matrix: Slack signs the request instead of presenting credentials.
  app.post('/orgs/:orgId/integrations/slack/interactions', requires('public'), async (c) => {
    const orgId = parseParam(c, 'orgId', orgIdSchema)
    if (Number(c.req.header('content-length') ?? 0) > maxInteractionBytes) throw httpError(413, `Interaction payload larger than ${maxInteractionBytes} bytes`)
    const raw = await c.req.text()
    if (Buffer.byteLength(raw) > maxInteractionBytes) throw httpError(413, `Interaction payload larger than ${maxInteractionBytes} bytes`)
    const secret = await platform.secrets.get(alertingSecretName(orgId, slackSigningSecret))
    if (!secret) throw httpError(404, `Slack interactions are not set up for this organization: set its alerting secret "${slackSigningSecret}"`)
    const verdict = verifySlackSignature(secret, c.req.header('x-slack-request-timestamp'), c.req.header('x-slack-signature'), raw)
    if (!verdict.ok) throw httpError(401, `Slack signature refused: ${verdict.reason}`)
    let payload: z.infer<typeof payloadSchema>
    let value: ButtonValue
    try {
      payload = payloadSchema.parse(JSON.parse(new URLSearchParams(raw).get('payload') ?? ''))
      value = valueSchema.parse(JSON.parse(payload.actions[0]!.value))
    } catch (error) {
      throw httpError(400, `Not a Faultline button action: ${describeError(error).slice(0, 300)}`)
    }
    if (value.org !== orgId) throw httpError(400, `The button belongs to another organization`)
    const by = `slack:${payload.user.username ?? payload.user.name ?? payload.user.id}`
    const action = payload.actions[0]!.action_id
    const work = (async () => {
      if (action === SlackActions.acknowledge) await acknowledgeGroup(stores, value.org, value.group, by)
      else if (action === SlackActions.resolve) await resolveGroup(platform, stores, value.org, value.group)
      else if (action === SlackActions.silence) await silenceGroup(stores, value.org, value.group, by, 3_600_000)
      else throw httpError(400, `Unknown action ${action}`)
    })()
    const done = await Promise.race([work.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), answerWithinMs).unref())])
    if (!done) work.catch((error: unknown) => platform.logger.error('a Slack action failed after the answer', { action, group: value.group, error: describeError(error) }))
    return c.body(null, 200)
  })
  return app
}
