/**
 * Calendar subscriptions to on-call schedules. Calendar apps fetch a URL and cannot sign in, so a
 * writer makes a secret feed address (`POST`: a new one replaces the old, `DELETE` turns it off)
 * and the feed route is public in the permission matrix: the random token in its path (stored
 * hashed, see @faultline/alerting's ical-feed-store.ts) is the only credential it takes.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AlertingStores } from '@faultline/alerting'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { actorOf, orgIdSchema } from '../services/alerting-actor'
import { appendAudit } from '../services/audit-trail'
import { parseParam } from '../validation'
import { icalResponse, requireSchedule, scheduleName } from './alerting'

const feedToken = z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'must be a feed token')

export function icalFeedRoutes(platform: Platform, stores: AlertingStores, publicUrl: string): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const feedUrl = (orgId: string, token: string) => `${publicUrl.replace(/\/$/, '')}/api/v1/orgs/${orgId}/alerting/ical-feeds/${token}`

  app.post('/orgs/:orgId/alerting/schedules/:name/ical-feed', requires('alerts:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const schedule = await requireSchedule(stores, orgId, parseParam(c, 'name', scheduleName))
    const token = await stores.icalFeeds.replace(orgId, schedule.name, actorOf(c))
    await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.sensitiveUpdate, outcome: 'success', orgId, target: { type: 'schedule', id: schedule.name }, detail: { change: 'new iCal feed address' } })
    return c.json({ schedule: schedule.name, url: feedUrl(orgId, token) }, 201)
  })

  app.delete('/orgs/:orgId/alerting/schedules/:name/ical-feed', requires('alerts:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const name = parseParam(c, 'name', scheduleName)
    if (!(await stores.icalFeeds.remove(orgId, name))) throw httpError(404, `Schedule ${name} has no iCal feed`)
    return c.body(null, 204)
  })

  app.get('/orgs/:orgId/alerting/ical-feeds/:feedToken', requires('public'), async (c) => {
    const orgId = parseParam(c, 'orgId', orgIdSchema)
    const name = await stores.icalFeeds.scheduleOf(orgId, parseParam(c, 'feedToken', feedToken))
    if (!name) throw httpError(404, 'No such calendar feed: it was replaced or turned off')
    return icalResponse(c, await requireSchedule(stores, orgId, name))
  })

  return app
}
