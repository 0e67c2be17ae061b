import { withPlatform, type Command } from './command'

export const migrateCommand: Command = {
  usage: 'migrate                apply migrations and exit',
  async run(_args, config) {
    await withPlatform(config(), async () => undefined, { withEventStore: true })
    console.log('migrations applied')
    return 0
  },
}
