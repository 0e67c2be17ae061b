import { RetentionJob } from '@faultline/processor'
import { materializeRetention } from '@faultline/core/retention'
import { withPlatform, type Command } from './command'

export const retentionCommand: Command = {
  usage: `retention apply        run the retention pass now: each project's retention into the event
                         store, expired rows dropped at once (not at the next merges), expired
                         issues and outcome counts and old dead letters removed`,
  async run(args, config) {
    if (args.length !== 1 || args[0] !== 'apply') {
      console.error('usage: faultline retention apply')
      return 2
    }
    const report = await withPlatform(
      config(),
      async (platform) => {
        const result = await new RetentionJob(platform).runOnce()
        await materializeRetention(platform.eventStore)
        return result
      },
      { withEventStore: true },
    )
    console.log(
      `${report.projects} project(s); retention changed in the event store for ${report.applied.length}; removed ${report.issuesRemoved} issue(s), ${report.outcomesRemoved} outcome count(s), ${report.deadLettersRemoved} dead letter(s)`,
    )
    return 0
  },
}
