/** The event writer against real chDB (one chDB path in this file): rollups stay equal to the stored events across a partial write. */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { rollupTotals } from '@faultline/core/event-store'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { normalizeEvent } from '../normalize'
import { computeGrouping } from '../grouping'
import type { GroupedEvent } from './error-rows'
import { EventWriter } from './event-writer'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-event-writer-'))
let platform: Platform

beforeAll(async () => {
  platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }), { logger: createLogger('error') })
}, 60_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function grouped(projectId: string, index: number, receivedAt: number): GroupedEvent {
  const raw = {
    event_id: randomUUID().replaceAll('-', ''),
    // Three fingerprints over two minutes, two users.
    exception: { values: [{ type: `CrashError${index % 3}`, value: 'boom' }] },
    timestamp: (receivedAt - (index % 2) * 60_000) / 1000,
    user: { id: `u${index % 2}` },
  }
  const normalized = normalizeEvent(raw, { projectId, receivedAt })
  if (!normalized.ok) throw new Error(normalized.reason)
  const grouping = computeGrouping(normalized.event)
  return { event: normalized.event, fingerprint: grouping.fingerprint, groupingStrategy: grouping.strategy, issueId: '1', templateId: `t${index % 2}`, template: 'boom' }
}

describe('EventWriter', () => {
  it('keeps the rollups equal to the stored events when a batch is delivered again after a write that stopped halfway', async () => {
    const { client, database } = platform.eventStore
    const projectId = '41'
    const events = Array.from({ length: 12 }, (_, i) => grouped(projectId, i, Date.now()))
    const writer = new EventWriter(platform.eventStore)

    // The crash point: the events are stored, their rollup rows are not.
    await client.command({ query: `ALTER TABLE ${database}.fingerprint_minute ADD CONSTRAINT crash_point CHECK 0` })
    try {
      await expect(writer.write(events, new Set())).rejects.toThrow(/crash_point/)
    } finally {
      await client.command({ query: `ALTER TABLE ${database}.fingerprint_minute DROP CONSTRAINT crash_point` })
    }
    expect((await rollupTotals(platform.eventStore, projectId)).events).toBe(12)

    // Redelivered: nothing is stored twice, and the rollups catch up.
    const redelivered = new Set(events.map((e) => e.event.eventId))
    expect(await writer.write(events, redelivered)).toBe(0)
    expect(await rollupTotals(platform.eventStore, projectId)).toEqual({ events: 12, templatedEvents: 12, fingerprintMinute: 12, projectMinute: 12, templateMinute: 12 })

    // And a third delivery changes nothing.
    expect(await writer.write(events, redelivered)).toBe(0)
    expect(await rollupTotals(platform.eventStore, projectId)).toEqual({ events: 12, templatedEvents: 12, fingerprintMinute: 12, projectMinute: 12, templateMinute: 12 })
  })
})
