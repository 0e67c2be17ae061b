import { createApiToken } from '@faultline/core/accounts'
import { isPermission, levelOf, type Permission } from '@faultline/api'
import { withPlatform, type Command } from './command'
import { flag, flagList, parseArgs, unknownFlags, UsageError } from './options'
import { organizationArg } from './organization'

const usage = 'usage: faultline token create NAME [--org ID|SLUG] --scope SCOPE[,SCOPE...] [--project ID]... [--expires-days N]'

export const tokenCommand: Command = {
  usage: `token create NAME [--org ID|SLUG] --scope issues:read,... [--project ID]... [--expires-days N]
                         create an organization API token and print it (shown once); scopes
                         are permission names such as issues:read or events:write`,
  async run(args, config) {
    const parsed = parseArgs(args)
    const [sub, ...nameParts] = parsed.words
    const name = nameParts.join(' ')
    const scopes = flagList(parsed, 'scope')
    const invalid = scopes.filter((s) => !isPermission(s) || levelOf(s) !== 'tenant')
    const expiresDays = flag(parsed, 'expires-days')
    if (sub !== 'create' || !name || scopes.length === 0 || unknownFlags(parsed, ['org', 'scope', 'project', 'expires-days']).length > 0) {
      console.error(usage)
      return 2
    }
    if (invalid.length > 0 || (expiresDays !== undefined && !(Number(expiresDays) > 0))) {
      console.error(invalid.length > 0 ? `not organization permissions: ${invalid.join(', ')}` : '--expires-days takes a positive number')
      return 2
    }
    return withPlatform(config(), async (platform) => {
      try {
        const org = await organizationArg(platform.accounts, flag(parsed, 'org'))
        const projectIds = flagList(parsed, 'project')
        for (const id of projectIds) {
          const project = await platform.projects.projects.get(id)
          if (project?.orgId !== org._id) throw new UsageError(`no project ${id} in organization ${org.slug}`)
        }
        const { token } = await createApiToken(platform.accounts.tokens, {
          kind: 'org',
          orgId: org._id,
          name,
          scopes: scopes as Permission[],
          ...(projectIds.length > 0 && { projectIds }),
          ...(expiresDays !== undefined && { expiresAt: Date.now() + Number(expiresDays) * 86_400_000 }),
        })
        console.log(token)
        return 0
      } catch (error) {
        if (!(error instanceof UsageError)) throw error
        console.error(error.message)
        return 2
      }
    })
  },
}
