import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { problemErrorHandler } from '@faultline/core/http'
import { createLogger } from '@faultline/core/log'
import { parseJsonBody, sluggedNameSchema } from './validation'

function app(): Hono {
  const app = new Hono()
  app.onError(problemErrorHandler(createLogger('silent')))
  app.post('/', async (c) => c.json(await parseJsonBody(c, z.object({ name: z.string() }), 1_000)))
  return app
}

/** A chunked body of `chunks` 64 KB chunks; `pulls` counts how many were read. */
function chunkedBody(chunks: number): { stream: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (++pulls > chunks) controller.close()
      else controller.enqueue(new Uint8Array(64 * 1024).fill(0x20))
    },
  })
  return { stream, pulls: () => pulls }
}

describe('parseJsonBody', () => {
  it('refuses a chunked body past the limit with 413 after reading about the limit, not the whole body', async () => {
    const body = chunkedBody(160)
    const response = await app().request('/', { method: 'POST', body: body.stream, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expect(body.pulls()).toBeLessThanOrEqual(3)
  })

  it('parses a body within the limit and refuses invalid JSON with 400', async () => {
    expect(await (await app().request('/', { method: 'POST', body: '{"name":"x"}' })).json()).toEqual({ name: 'x' })
    expect((await app().request('/', { method: 'POST', body: '{"name":' })).status).toBe(400)
  })
})

describe('sluggedNameSchema', () => {
  it('takes a name with a Latin letter or digit and refuses, with the reason, one whose slug would be empty', () => {
    expect(sluggedNameSchema.parse(' Zürich 2 ')).toBe('Zürich 2')
    for (const name of ['中文', '--', '\u0000', '\u202e']) expect(sluggedNameSchema.safeParse(name).error?.issues[0]?.message, name).toBe('must contain a Latin letter or a digit')
  })
})
