import { withPlatform, type Command } from './command'

export const auditCommand: Command = {
  usage: `audit verify           walk the whole hash-chained audit log; exit 1 at the first changed,
                         removed or reordered record`,
  async run(args, config) {
    if (args.length !== 1 || args[0] !== 'verify') {
      console.error('usage: faultline audit verify')
      return 2
    }
    const result = await withPlatform(config(), (platform) => platform.audit.verify())
    if (result.ok) {
      console.log(`audit log intact: ${result.records} records${result.head ? `, head ${result.head.seq} ${result.head.hash}` : ''}`)
      return 0
    }
    console.log(`audit log BROKEN at record ${result.brokenAt} (${result.problem}); ${result.records} records before it are intact`)
    return 1
  },
}
