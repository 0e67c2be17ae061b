/** Where to go back to after signing in: only a path on this site (no open redirect). */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/'
  return value
}

export function signInUrl(current: URL): string {
  const here = `${current.pathname}${current.search}${current.hash}`
  return here === '/' || current.pathname === '/login' ? '/login' : `/login?returnTo=${encodeURIComponent(here)}`
}
