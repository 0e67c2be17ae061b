import { createApiToken } from '@faultline/core/projects'
import { withPlatform, type Command } from './command'

export const tokenCommand: Command = {
  usage: 'token create NAME      create an API token and print it (shown once)',
  async run(args, config) {
    const [sub, ...nameParts] = args
    const name = nameParts.join(' ')
    if (sub !== 'create' || !name) {
      console.error('usage: faultline token create NAME')
      return 2
    }
    return withPlatform(config(), async (platform) => {
      console.log((await createApiToken(platform.projects, name)).token)
      return 0
    })
  },
}
