/** What the sign-in page offers: whether the instance still needs its first-run setup, and single sign-on per organization. */
import { api } from '$lib/api'

export class SignInOptions {
  setupRequired = $state(false)
  ssoProviders = $state.raw<{ slug: string; name: string }[]>([])

  async load(): Promise<void> {
    // Both are extras around the password form: if they fail, the form still works.
    const [setup, sso] = await Promise.allSettled([api.setup.state(), api.auth.ssoProviders()])
    if (setup.status === 'fulfilled') this.setupRequired = setup.value.required
    if (sso.status === 'fulfilled') this.ssoProviders = sso.value.data
  }
}

/** Where an organization's single sign-on starts; the API redirects back to `returnTo` afterwards. */
export function ssoStartUrl(slug: string, returnTo: string): string {
  return `/api/v1/auth/sso/${encodeURIComponent(slug)}/start?returnTo=${encodeURIComponent(returnTo)}`
}
