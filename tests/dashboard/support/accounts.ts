/**
 * People and a project for the browser tests, written into a data directory before Faultline
 * starts on it: an owner, a viewer, and a project with its DSN key.
 */
import { loadConfig } from '@faultline/core/config'
import { createUser, defaultOrganization, hashPassword, setMembership, type OrgRole } from '@faultline/core/accounts'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'
import { createProject, type ProjectDoc, type ProjectKeyDoc } from '@faultline/core/projects'

export const password = 'correct horse battery staple'

export interface Seeded {
  project: ProjectDoc
  key: ProjectKeyDoc
}

export async function seedAccounts(dataDir: string, people: { email: string; name: string; role: OrgRole }[]): Promise<Seeded> {
  const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { logger: createLogger('warn'), withEventStore: false })
  try {
    const org = await defaultOrganization(platform.accounts)
    for (const person of people) {
      const user = await createUser(platform.accounts, { email: person.email, name: person.name, passwordHash: await hashPassword(password) })
      await setMembership(platform.accounts, org._id, user._id, person.role)
    }
    return await createProject(platform.projects, org._id, 'Shop')
  } finally {
    await platform.close()
  }
}
