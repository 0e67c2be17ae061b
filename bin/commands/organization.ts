/** Resolving `--org ID|SLUG` for commands that act inside an organization. */
import { defaultOrganization, type AccountStores, type OrganizationDoc } from '@faultline/core/accounts'
import { UsageError } from './options'

/** The named organization, or (when none is named) the only one, created as "Default" on a fresh install. */
export async function organizationArg(accounts: AccountStores, idOrSlug: string | undefined): Promise<OrganizationDoc> {
  if (idOrSlug === undefined) return defaultOrganization(accounts)
  const org = (await accounts.organizations.get(idOrSlug)) ?? (await accounts.organizations.findOne({ slug: idOrSlug }))
  if (!org) throw new UsageError(`no organization ${JSON.stringify(idOrSlug)}`)
  return org
}
