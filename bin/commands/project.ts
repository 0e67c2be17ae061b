import { createApiToken } from '@faultline/core/accounts'
import { MetadataError } from '@faultline/core/errors'
import { createProject, formatDsn, slugify } from '@faultline/core/projects'
import { permissionsOf } from '@faultline/api'
import { publicUrlOf, withPlatform, type Command } from './command'
import { flag, parseArgs, unknownFlags, UsageError } from './options'
import { organizationArg } from './organization'

const usage = 'usage: faultline project create NAME [--org ID|SLUG]'

export const projectCommand: Command = {
  usage: `project create NAME [--org ID|SLUG]
                         create a project in the organization (the only one, or "Default" on
                         a fresh install) and print its DSN and an API token limited to it`,
  async run(args, config) {
    const parsed = parseArgs(args)
    const [sub, ...nameParts] = parsed.words
    const name = nameParts.join(' ')
    if (sub !== 'create' || !name || unknownFlags(parsed, ['org']).length > 0) {
      console.error(usage)
      return 2
    }
    return withPlatform(config(), async (platform) => {
      let org
      try {
        org = await organizationArg(platform.accounts, flag(parsed, 'org'))
      } catch (error) {
        if (!(error instanceof UsageError)) throw error
        console.error(error.message)
        return 2
      }
      const created = await createProject(platform.projects, org._id, name).catch(async (error: unknown) => {
        // Names are unique by their slug: the only unique field a new project can collide on.
        if (!(error instanceof MetadataError && error.code === 'duplicate')) throw error
        const [existing] = await platform.projects.projects.find({ slug: slugify(name) }, { limit: 1 })
        console.error(`faultline: project ${existing?._id ?? '?'} is already named ${JSON.stringify(existing?.name ?? name)} (slug "${slugify(name)}"); choose another name`)
        return undefined
      })
      if (!created) return 1
      const { project, key } = created
      // An organization token that reaches this project only, with what an admin may do there.
      const { token } = await createApiToken(platform.accounts.tokens, {
        kind: 'org',
        orgId: org._id,
        name: `project ${project.slug}`,
        scopes: permissionsOf('admin'),
        projectIds: [project._id],
      })
      console.log(
        JSON.stringify({ projectId: project._id, orgId: org._id, name: project.name, slug: project.slug, dsn: formatDsn(publicUrlOf(config()), key), apiToken: token }, null, 2),
      )
      return 0
    })
  },
}
