import { mkdirSync } from 'node:fs'
import { diskCheck, machineChecks, serverChecks, type CheckResult } from '@faultline/core/doctor'
import type { Command } from './command'

const marks = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const

export const doctorCommand: Command = {
  usage: `doctor                 check the machine (Node, memory, disk, CPUs) and every configured
                         server (reachable, supported version, JetStream on); one line per
                         check, exit 1 when any fails`,
  async run(args, config) {
    if (args.length > 0) {
      console.error('usage: faultline doctor')
      return 2
    }
    const cfg = config()
    mkdirSync(cfg.dataDir, { recursive: true })
    const results: CheckResult[] = [...machineChecks(), await diskCheck(cfg.dataDir), ...(await serverChecks(cfg))]
    for (const r of results) console.log(`${marks[r.status]}  ${r.name.padEnd(18)} ${r.detail}`)
    const failed = results.filter((r) => r.status === 'fail').length
    console.log(failed === 0 ? 'all checks passed' : `${failed} check${failed === 1 ? '' : 's'} failed`)
    return failed === 0 ? 0 : 1
  },
}
