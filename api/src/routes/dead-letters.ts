/** Dead letters: messages that kept failing, with their error; inspect, replay or discard. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { Subjects, type Subject } from '@faultline/core/ports'
import { httpError } from '@faultline/core/http'
import { requires, type ApiEnv } from '../permissions'
import { parseParam, parseQuery } from '../validation'

const subjectSchema = z.enum(Object.values(Subjects) as [Subject, ...Subject[]])
const seqSchema = z.coerce.number().int().positive()
const listQuery = z.object({ after: z.coerce.number().int().nonnegative().optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })

export function deadLetterRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/dead-letters/:subject', requires('instance:read'), async (c) => {
    const subject = parseParam(c, 'subject', subjectSchema)
    const { after, limit } = parseQuery(c, listQuery)
    const letters = await platform.bus.listDeadLetters(subject, { afterSeq: after, limit })
    return c.json({
      data: letters.map((l) => ({
        seq: l.seq,
        subject: l.subject,
        group: l.group,
        id: l.id,
        error: l.error,
        deliveryCount: l.deliveryCount,
        failedAt: new Date(l.failedAt).toISOString(),
        size: l.data.byteLength,
        // The payload was scrubbed at ingest before it reached the bus.
        payload: new TextDecoder().decode(l.data.subarray(0, 64 * 1024)),
      })),
      nextAfter: letters.at(-1)?.seq ?? null,
    })
  })

  app.post('/dead-letters/:subject/:seq/replay', requires('instance:write'), async (c) => {
    const subject = parseParam(c, 'subject', subjectSchema)
    const seq = parseParam(c, 'seq', seqSchema)
    if (!(await platform.bus.replayDeadLetter(subject, seq))) throw httpError(404, `No dead letter ${seq} on ${subject}`)
    return c.json({ replayed: seq })
  })

  app.delete('/dead-letters/:subject/:seq', requires('instance:write'), async (c) => {
    const subject = parseParam(c, 'subject', subjectSchema)
    const seq = parseParam(c, 'seq', seqSchema)
    if (!(await platform.bus.discardDeadLetter(subject, seq))) throw httpError(404, `No dead letter ${seq} on ${subject}`)
    return c.body(null, 204)
  })

  return app
}
