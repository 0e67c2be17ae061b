import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { projectCommand } from './project'

const dataDir = mkdtempSync(join(tmpdir(), 'faultline-project-cmd-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
const config = () => loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })

/** Runs `faultline project ARGS`; gives the exit code and what it printed. */
async function project(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = vi.spyOn(console, 'log').mockImplementation(() => undefined)
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    const code = await projectCommand.run(args, config)
    return { code, out: out.mock.calls.flat().join('\n'), err: err.mock.calls.flat().join('\n') }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

describe('faultline project create', () => {
  it('prints the new project with its DSN', async () => {
    const created = await project('create', 'My', 'App')
    expect(created.code).toBe(0)
    expect(JSON.parse(created.out)).toMatchObject({ projectId: '1', orgId: expect.any(String), name: 'My App', slug: 'my-app', dsn: expect.stringMatching(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1$/) })
  })

  it('refuses a name already taken, naming the project that has it', async () => {
    const again = await project('create', 'my app!')
    expect(again).toEqual({ code: 1, out: '', err: 'faultline: project 1 is already named "My App" (slug "my-app"); choose another name' })
  })

  it('answers wrong usage with the usage line', async () => {
    expect(await project('create')).toMatchObject({ code: 2, err: 'usage: faultline project create NAME [--org ID|SLUG]' })
  })
})
