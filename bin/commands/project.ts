import { createApiToken, createProject, formatDsn } from '@faultline/core/projects'
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
      const { project, key } = await createProject(platform.projects, name)
      const { token } = await createApiToken(platform.projects, `project ${project.slug}`)
      console.log(JSON.stringify({ projectId: project._id, name: project.name, slug: project.slug, dsn: formatDsn(publicUrlOf(config()), key), apiToken: token }, null, 2))
      return 0
    })
  },
}
