/**
 * Which project key a submission is sent with, in two steps around the body. Credentials outside
 * the body (X-Sentry-Auth, Authorization, the sentry_key query parameter) are checked, and the
 * key looked up, before a byte of the body is read: a request with a malformed, unknown or
 * disabled key costs no body read or parse. Only a request naming no key outside the body has its
 * envelope read for a DSN (tunnels forward bodies without auth). When the envelope carries a DSN
 * as well, it must name the same key as the headers and the project of the URL: conflicting
 * credentials are refused, never resolved by picking one.
 */
import { keyRefusal, type ProjectKeyDoc } from '@faultline/core/projects'
import { httpError } from '@faultline/core/http'
import { parseDsn, parseSentryAuth, type SentryAuthInput } from '../auth/sentry-auth'
import type { ProjectKeyCache } from './project-keys'

/** The credentials a request carries outside its body. */
export type OutsideCredentials = Omit<SentryAuthInput, 'envelopeDsn'>

export class SubmissionAuth {
  readonly #keys: ProjectKeyCache

  constructor(keys: ProjectKeyCache) {
    this.#keys = keys
  }

  /**
   * The key named outside the body, checked; undefined when the request names none there and its
   * body may (an envelope's DSN). Throws 401/403.
   */
  async beforeBody(projectId: string, outside: OutsideCredentials, bodyMayNameKey: boolean): Promise<ProjectKeyDoc | undefined> {
    const auth = parseSentryAuth(outside)
    if (auth.ok) return this.#resolve(auth.publicKey, projectId)
    if (auth.missing && bodyMayNameKey) return undefined
    throw httpError(401, auth.reason)
  }

  /**
   * The submission's key once its envelope header is read: the key from outside the body, the
   * envelope's DSN, or both when they agree. `envelopeDsn` is undefined for store requests and
   * envelopes without one.
   */
  async withEnvelope(projectId: string, outside: OutsideCredentials, outsideKey: ProjectKeyDoc | undefined, envelopeDsn: string | undefined): Promise<ProjectKeyDoc> {
    const auth = parseSentryAuth(envelopeDsn === undefined ? outside : { ...outside, envelopeDsn })
    if (!auth.ok) throw httpError(401, auth.reason)
    if (envelopeDsn !== undefined) {
      const dsn = parseDsn(envelopeDsn)
      if (dsn.ok && dsn.projectId !== projectId) throw httpError(403, `The DSN in the envelope is for project ${dsn.projectId}, not ${projectId}`)
    }
    return outsideKey ?? this.#resolve(auth.publicKey, projectId)
  }

  async #resolve(publicKey: string, projectId: string): Promise<ProjectKeyDoc> {
    const key = await this.#keys.get(publicKey)
    if (!key) throw httpError(401, 'Unknown DSN public key')
    if (key.projectId !== projectId) throw httpError(403, `This DSN key does not belong to project ${projectId}`)
    const refusal = keyRefusal(key)
    if (refusal) throw httpError(403, refusal)
    return key
  }
}
