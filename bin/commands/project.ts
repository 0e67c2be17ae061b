import { MetadataError } from '@faultline/core/errors'
import { createApiToken, createProject, formatDsn, slugify } from '@faultline/core/projects'
import { publicUrlOf, withPlatform, type Command } from './command'

export const projectCommand: Command = {
  usage: 'project create NAME    create a project and print its DSN',
  async run(args, config) {
    const [sub, ...nameParts] = args
    const name = nameParts.join(' ')
    if (sub !== 'create' || !name) {
      console.error('usage: faultline project create NAME')
      return 2
    }
    return withPlatform(config(), async (platform) => {
      const created = await createProject(platform.projects, name).catch(async (error: unknown) => {
        // Names are unique by their slug: the only unique field a new project can collide on.
        if (!(error instanceof MetadataError && error.code === 'duplicate')) throw error
        const [existing] = await platform.projects.projects.find({ slug: slugify(name) }, { limit: 1 })
        console.error(`faultline: project ${existing?._id ?? '?'} is already named ${JSON.stringify(existing?.name ?? name)} (slug "${slugify(name)}"); choose another name`)
        return undefined
      })
      if (!created) return 1
      const { project, key } = created
      const { token } = await createApiToken(platform.projects, `project ${project.slug}`)
      console.log(JSON.stringify({ projectId: project._id, name: project.name, slug: project.slug, dsn: formatDsn(publicUrlOf(config()), key), apiToken: token }, null, 2))
      return 0
    })
  },
}
