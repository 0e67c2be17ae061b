import { describe, expect, it } from 'vitest'
import type { PrivacySettings, PrivacySettingsView } from '$lib/api'
import { PrivacySettingsState, type PrivacyClient } from './privacy-settings.svelte'

const settings = (retentionDays: number) => ({ retentionDays, packs: { default: true, healthcare: true } }) as PrivacySettings
const view = (version: number, retentionDays: number): PrivacySettingsView => ({ version, settings: settings(retentionDays), updatedAt: null, updatedBy: null })

function fake(stored: PrivacySettingsView) {
  const sent: number[] = []
  const client: PrivacyClient = {
    privacy: {
      get: async () => stored,
      packs: async () => ({ data: [] }),
      history: async () => ({ data: stored.version > 0 ? [stored] : [] }),
      change: async (_projectId, expectedVersion, next) => {
        sent.push(expectedVersion)
        if (expectedVersion !== stored.version) throw new Error('changed meanwhile')
        stored = { ...stored, version: stored.version + 1, settings: next }
        return stored
      },
    },
  }
  return { client, sent, bumpElsewhere: () => (stored = { ...stored, version: stored.version + 1 }) }
}

describe('PrivacySettingsState', () => {
  it('saves against the version it read and puts the new version first in the history', async () => {
    const { client, sent } = fake(view(3, 90))
    const state = new PrivacySettingsState('1', client)
    await state.load()
    await state.save(settings(30))
    expect(sent).toEqual([3])
    expect(state.current).toMatchObject({ version: 4, settings: { retentionDays: 30 } })
    expect(state.history.map((h) => h.version)).toEqual([4, 3])
  })

  it('passes on the refusal of a change made meanwhile and keeps what it showed', async () => {
    const { client, bumpElsewhere } = fake(view(0, 90))
    const state = new PrivacySettingsState('1', client)
    await state.load()
    bumpElsewhere()
    await expect(state.save(settings(30))).rejects.toThrow('changed meanwhile')
    expect(state.current).toMatchObject({ version: 0, settings: { retentionDays: 90 } })
  })
})
