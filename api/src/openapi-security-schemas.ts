/**
 * Response shapes of the security timeline's reads (events, search, pivot, one event, field
 * values), published in the OpenAPI document beside `openapi-schemas.ts` and checked against live
 * answers by `tests/security-event-detail.int.test.ts`.
 */
import { z } from 'zod'
import { EventKinds, EventOutcomes, SecurityDatasets, eventCategories, eventTypes, severityLevels } from '@faultline/core/security'
import { PivotFields } from './services/security-pivot'
import { EventLinkFields } from './services/security-event-detail'

const iso = z.string().describe('ISO 8601 time')
const scalar = z.union([z.string(), z.number(), z.boolean()])

/** The ECS document as stored (`core/src/security/security-event.ts`). */
export const SecurityEvent = z.object({
  '@timestamp': iso,
  event: z.object({
    id: z.string().describe('32 lower-case hex digits'),
    kind: z.enum(Object.values(EventKinds)),
    category: z.array(z.enum(eventCategories)),
    type: z.array(z.enum(eventTypes)),
    action: z.string(),
    outcome: z.enum(Object.values(EventOutcomes)),
    severity: z.enum(severityLevels),
    dataset: z.enum(Object.values(SecurityDatasets)),
    provider: z.string().optional(),
    reason: z.string().optional(),
  }),
  message: z.string().optional(),
  source: z.object({ ip: z.string().optional(), port: z.number().int().optional(), geo: z.object({ country_iso_code: z.string().optional(), country_name: z.string().optional() }).optional() }).optional(),
  user: z.object({ id: z.string().optional(), name: z.string().optional(), email: z.string().optional(), roles: z.array(z.string()).optional() }).optional(),
  user_agent: z.object({ original: z.string() }).optional(),
  url: z.object({ original: z.string() }).optional(),
  http: z.object({ request: z.object({ method: z.string().optional() }).optional(), response: z.object({ status_code: z.number().int().optional() }).optional() }).optional(),
  related: z.object({ ip: z.array(z.string()), user: z.array(z.string()), hosts: z.array(z.string()) }),
  trace: z.object({ id: z.string() }).optional(),
  span: z.object({ id: z.string() }).optional(),
  session: z.object({ id: z.string() }).optional(),
  replay: z.object({ id: z.string() }).optional(),
  attributes: z.record(z.string(), scalar),
})

/** A timeline row: the whole event, or the chosen columns flat (`fields`) when columns were asked for. */
export const TimelineRow = z.object({
  id: z.string(),
  '@timestamp': iso,
  event: SecurityEvent.optional(),
  fields: z.record(z.string(), z.union([scalar, z.array(z.string()), z.null()])).optional().describe('Column → value; event.severity as its rank (0 info … 4 critical); null when absent'),
})

const counted = z.object({ value: z.string(), count: z.number().int() })

export const securityResponses = {
  SecurityEventPage: z.object({ data: z.array(TimelineRow), nextCursor: z.string().nullable() }),
  SecuritySearch: z.object({
    data: z.array(TimelineRow),
    nextCursor: z.string().nullable(),
    histogram: z.object({ intervalSeconds: z.number().int(), buckets: z.array(z.object({ start: iso, count: z.number().int(), failures: z.number().int() })) }).optional().describe('When asked for'),
  }),
  SecurityPivot: z.object({
    field: z.enum(Object.values(PivotFields)),
    value: z.string(),
    events: z.number().int(),
    firstSeen: iso.nullable(),
    lastSeen: iso.nullable(),
    actions: z.array(z.object({ action: z.string(), outcome: z.string(), count: z.number().int() })),
    users: z.array(counted),
    ips: z.array(counted.extend({ country: z.string() })),
    sessions: z.array(counted),
    recent: z.array(TimelineRow),
    errors: z.array(z.object({ eventId: z.string(), issueId: z.string(), title: z.string(), timestamp: iso, user: z.string() })),
  }),
  SecurityEventDetail: z.object({
    id: z.string(),
    '@timestamp': iso,
    receivedAt: iso,
    event: SecurityEvent,
    links: z.array(z.object({ field: z.enum(Object.values(EventLinkFields)), value: z.string(), securityEvents: z.number().int().describe('Security events with the same value within a day of this one') })),
    errors: z.array(z.object({ eventId: z.string(), issueId: z.string(), title: z.string(), timestamp: iso, via: z.enum(['trace.id', 'replay.id']) })).describe('Error events of the same trace or replay within a day, newest first'),
  }),
  SecurityFieldValues: z.object({ field: z.string(), values: z.array(counted).describe('Most frequent first') }),
} as const
