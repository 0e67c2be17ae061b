/** Who did something to alerting state, as it is recorded (silences, acknowledgements, timelines). */
import type { Context } from 'hono'
import { z } from 'zod'
import { describePrincipal, type ApiEnv } from '../permissions'

export const orgIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an organization number')

export function actorOf(c: Context<ApiEnv>): string {
  const who = describePrincipal(c.get('access')?.principal)
  return `${who.type}:${who.name ?? who.id}`
}
