import { afterEach, describe, expect, it } from 'vitest'
import { ConfigReader, loadConfigYaml } from '.'

const rules = (count: number) =>
  `route:\n  receiver: team\nreceivers:\n  - name: team\n    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]\nrules:\n` +
  Array.from({ length: count }, (_, i) => `  - name: rule-${i}\n    kind: issue\n    when: [new]\n    filters: { environments: [env-${i}] }\n`).join('')

let reader: ConfigReader | undefined
afterEach(async () => {
  await reader?.close()
  reader = undefined
})

describe('reading a configuration off the main thread', () => {
  it('gives what reading it inline gives, valid or not, with the problems at their lines', async () => {
    reader = new ConfigReader({ inlineBytes: 0 })
    const valid = rules(50)
    const inWorker = await reader.read(valid, { projects: new Set(['1']) })
    expect(inWorker).toEqual(loadConfigYaml(valid, { projects: new Set(['1']) }))
    expect(inWorker.ok && inWorker.config.rules).toHaveLength(50)
    const invalid = `${valid}  - name: broken\n    kind: issue\n    when: [sometimes]\n`
    const problems = await reader.read(invalid)
    expect(problems).toEqual(loadConfigYaml(invalid))
    expect(problems.ok ? [] : problems.problems.map((p) => p.line)).toEqual([invalid.split('\n').findIndex((line) => line.includes('sometimes')) + 1])
  })

  it('keeps the main thread free while a large configuration is read', async () => {
    reader = new ConfigReader()
    const large = rules(6_000)
    expect(Buffer.byteLength(large)).toBeGreaterThan(256 * 1024)
    // Inline, the parse is synchronous: nothing else runs until it ends. Off the thread, the
    // event loop keeps turning while the worker parses.
    let turns = 0
    let turning = true
    const spin = () => {
      if (!turning) return
      turns++
      setImmediate(spin)
    }
    setImmediate(spin)
    const loaded = await reader.read(large)
    turning = false
    expect(loaded.ok && loaded.config.rules).toHaveLength(6_000)
    expect(turns).toBeGreaterThan(10)
  })

  it('answers a read past its deadline with a problem', async () => {
    reader = new ConfigReader({ inlineBytes: 0, deadlineMs: 1 })
    const late = await reader.read(rules(3_000))
    expect(late).toMatchObject({ ok: false, problems: [{ message: 'the configuration took longer than 0.001 s to read' }] })
  })
})
