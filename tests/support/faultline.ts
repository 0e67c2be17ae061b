/**
 * Starts a real Faultline (all roles, embedded profile unless URLs are passed) in this test
 * process on a free port with a fresh data directory, creates a project, and gives back its DSN,
 * an API token and a small API client. Restart tests keep the data directory on stop and start
 * again on it: the existing project and key are reused, with a new API token.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { createApiToken, createUser, defaultOrganization, type AccountStores } from '@faultline/core/accounts'
import { createProject, formatDsn, type ProjectDoc, type ProjectKeyDoc, type ProjectStores } from '@faultline/core/projects'
import { permissionsOf } from '@faultline/api'
import { startServer, type RunningServer } from '../../bin/server'
import { waitUntil } from './wait'

export interface StartOptions {
  /** Start on this data directory (from an earlier `keepDataDir` run) instead of a fresh one. */
  dataDir?: string
  /** Leave the data directory in place on stop, for a restart. */
  keepDataDir?: boolean
}

export interface TestFaultline {
  url: string
  dataDir: string
  dsn: string
  projectId: string
  publicKey: string
  /** An organization token limited to the project, with what an admin may do there. */
  apiToken: string
  server: RunningServer
  /** GET/PUT/POST/DELETE on /api/v1 with the token; returns status and parsed JSON. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
  /** A personal token of an instance administrator (instance:read, instance:write): dead letters, `/metrics`. */
  adminToken: string
  /** The same as an instance administrator (dead letters, `/metrics`). */
  adminApi<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
  /** The same with another token. */
  apiAs(token: string): TestFaultline['api']
  /** Polls `check` until it returns a value other than undefined/false. */
  waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>
  stop(): Promise<void>
}

export async function startFaultline(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestFaultline> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-test-'))
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PROCESSOR_FLUSH_MS: '50',
    // In-process tests reach the processor tier (its anomaly job) through the server's platform;
    // the worker-thread path is exercised by the tests that run Faultline as a child process.
    PROCESSOR_THREAD: 'main',
    ...env,
  })
  const server = await startServer(config, { logger: createLogger(config.logLevel) })
  const { accounts } = server.platform
  const reused = options.dataDir ? await existingProject(server.platform.projects) : undefined
  const { project, key } = reused ?? (await createProject(server.platform.projects, (await defaultOrganization(accounts))._id, 'Test project'))
  const { token } = await createApiToken(accounts.tokens, { kind: 'org', orgId: project.orgId, name: 'tests', scopes: permissionsOf('admin'), projectIds: [project._id] })
  const adminToken = await instanceAdminToken(accounts)
  const request = (bearer: string): TestFaultline['api'] => async (method, path, body) => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
  return {
    url: server.url,
    dataDir,
    dsn: formatDsn(server.url, key),
    projectId: project._id,
    publicKey: key._id,
    apiToken: token,
    server,
    api: request(token),
    adminApi: request(adminToken),
    adminToken,
    apiAs: request,
    waitFor: (check, timeoutMs) => waitUntil('condition', check, timeoutMs),
    async stop() {
      await server.close()
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A personal token of an instance administrator (created on first use of the data directory). */
async function instanceAdminToken(accounts: AccountStores): Promise<string> {
  const email = 'operator@faultline.test'
  const user = (await accounts.users.findOne({ email })) ?? (await createUser(accounts, { email, name: 'Operator', instanceAdmin: true }))
  const { token } = await createApiToken(accounts.tokens, { kind: 'personal', userId: user._id, name: 'tests (operator)', scopes: ['instance:read', 'instance:write'] })
  return token
}

async function existingProject(stores: ProjectStores): Promise<{ project: ProjectDoc; key: ProjectKeyDoc } | undefined> {
  const [project] = await stores.projects.find({}, { sort: { field: '_id', direction: 'asc' }, limit: 1 })
  const [key] = project ? await stores.keys.find({ projectId: project._id }, { limit: 1 }) : []
  return project && key ? { project, key } : undefined
}
