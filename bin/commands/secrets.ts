import { generateMasterKey } from '@faultline/core/secrets'
import { withPlatform, type Command } from './command'

export const secretsCommand: Command = {
  usage: `secrets generate-key   print a new random master key (for SECRET_KEY or SECRET_KEY_FILE)
  secrets rotate         re-seal every stored secret under SECRET_KEY; the old key must be
                         in SECRET_KEYS_PREVIOUS while this runs, and may be dropped after`,
  async run(args, config) {
    const [sub] = args
    if (sub === 'generate-key' && args.length === 1) {
      console.log(generateMasterKey())
      return 0
    }
    if (sub === 'rotate' && args.length === 1) {
      const count = await withPlatform(config(), (platform) => platform.secrets.rotate())
      console.log(`re-sealed ${count} secret${count === 1 ? '' : 's'} under the current key`)
      return 0
    }
    console.error('usage: faultline secrets generate-key | secrets rotate')
    return 2
  },
}
