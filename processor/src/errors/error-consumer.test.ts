/** The error consumer's template step against real chDB, SQLite metadata and the SQLite bus (one chDB path in this file). */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { defaultOrganization } from '@faultline/core/accounts'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import { encodeErrorMessage, toUuid } from '@faultline/core/schema'
import { parameterize } from '@faultline/intelligence'
import { TemplateStateStore } from '../templates'
import { ErrorConsumer, errorConsumerGroup } from './error-consumer'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-error-consumer-'))
let platform: Platform
let projectId: string
let orgId: string
const logs: string[] = []

beforeAll(async () => {
  const logger = createLogger('error', {}, (line) => logs.push(line))
  platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }), { logger })
  orgId = (await defaultOrganization(platform.accounts))._id
  projectId = (await createProject(platform.projects, orgId, 'Consumer test')).project._id
}, 60_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function publish(messages: string[]): Promise<string[]> {
  const ids = messages.map(() => randomUUID().replaceAll('-', ''))
  await platform.bus.publish(
    'errors',
    messages.map((message, i) => ({
      id: ids[i]!,
      data: encodeErrorMessage({ v: 1, projectId, eventId: ids[i]!, receivedAt: Date.now(), event: { event_id: ids[i], message, timestamp: Date.now() / 1000 } }),
    })),
  )
  return ids
}

async function storedTemplates(ids: string[]): Promise<Map<string, { templateId: string; template: string }>> {
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT toString(event_id) AS id, template_id, template FROM ${database}.error_events WHERE project_id = {project:UInt64} AND event_id IN {ids:Array(UUID)}`,
    query_params: { project: Number(projectId), ids: ids.map(toUuid) },
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ id: string; template_id: string; template: string }>()
  return new Map(rows.map((r) => [r.id, { templateId: r.template_id, template: r.template }]))
}

describe('ErrorConsumer templates', () => {
  it('stores every event with its template, an event the miner throws on with an empty one, and saves the miner at stop', async () => {
    const consumer = new ErrorConsumer(platform, {
      batchSize: 10,
      flushMs: 50,
      maxDeliver: 3,
      templates: {
        miner: {
          mask: (text) => {
            if (text.includes('poison')) throw new Error('mask exploded')
            return parameterize(text)
          },
        },
      },
    })
    const ids = await publish(['timeout after 3012 ms for user 88', 'poison pill 7', 'timeout after 17 ms for user 4'])
    await consumer.handleBatch(await platform.bus.fetch('errors', errorConsumerGroup, { max: 10, expiresMs: 100 }))
    expect(await platform.bus.backlog('errors')).toBe(0)
    expect(await platform.bus.listDeadLetters('errors', { limit: 10 })).toEqual([])

    const stored = await storedTemplates(ids)
    const [first, poison, third] = ids.map((id) => stored.get(toUuid(id)))
    expect(first).toEqual({ templateId: expect.stringMatching(/^[0-9a-f]{16}$/), template: 'timeout after <*> for user <*>' })
    expect(third).toEqual(first)
    expect(poison).toEqual({ templateId: '', template: '' })
    expect(logs.some((line) => line.includes('template mining failed') && line.includes('mask exploded'))).toBe(true)

    await consumer.stop()
    const saved = await (await TemplateStateStore.open(platform.metadata)).load(orgId, projectId)
    expect(saved?.state.clusters.map((c) => c.id)).toEqual([first!.templateId])
  }, 60_000)
})
