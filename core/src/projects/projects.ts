/**
 * Projects, their DSN keys and API tokens. DSN public keys are not secrets (browsers embed them)
 * and are stored as they are; API tokens are secrets and only their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto'
import { MetadataError } from '../errors'
import type { Collection, MetadataStore } from '../ports/metadata'

export interface ProjectDoc {
  _id: string
  name: string
  slug: string
  createdAt: number
}

export interface ProjectKeyDoc {
  _id: string // the 32-hex public key
  projectId: string
  label: string
  createdAt: number
  disabled: boolean
  /** Events per minute for this key; the instance default applies when absent. */
  rateLimitPerMinute?: number
}

export interface ApiTokenDoc {
  _id: string // sha256 hex of the token
  name: string
  /** First characters of the token, so a user can tell tokens apart. */
  prefix: string
  createdAt: number
  lastUsedAt?: number
}

interface CounterDoc {
  _id: string
  value: number
}

export interface ProjectStores {
  projects: Collection<ProjectDoc>
  keys: Collection<ProjectKeyDoc>
  tokens: Collection<ApiTokenDoc>
  counters: Collection<CounterDoc>
}

export async function openProjectStores(metadata: MetadataStore): Promise<ProjectStores> {
  return {
    projects: await metadata.collection<ProjectDoc>({ name: 'projects', indexes: ['slug'], unique: [['slug']] }),
    keys: await metadata.collection<ProjectKeyDoc>({ name: 'project_keys', indexes: ['projectId'] }),
    tokens: await metadata.collection<ApiTokenDoc>({ name: 'api_tokens', indexes: [] }),
    counters: await metadata.collection<CounterDoc>({ name: 'counters', indexes: [] }),
  }
}

/** Next value of a named sequence, atomic across processes. */
export async function nextSequence(counters: Collection<CounterDoc>, name: string): Promise<number> {
  const doc = await counters.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, insertId: name })
  if (!doc) throw new MetadataError('unavailable', `sequence ${name} could not be advanced`)
  return doc.value
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
}

export async function createProject(stores: ProjectStores, name: string, now = Date.now()): Promise<{ project: ProjectDoc; key: ProjectKeyDoc }> {
  const trimmed = name.trim()
  const slug = slugify(trimmed)
  if (!slug) throw new MetadataError('invalid_query', `project name ${JSON.stringify(name)} has no letters or digits`)
  const id = String(await nextSequence(stores.counters, 'project'))
  const project: ProjectDoc = { _id: id, name: trimmed, slug, createdAt: now }
  await stores.projects.insert(project)
  const key = await createProjectKey(stores, id, 'Default', now)
  return { project, key }
}

export async function createProjectKey(stores: ProjectStores, projectId: string, label: string, now = Date.now()): Promise<ProjectKeyDoc> {
  const key: ProjectKeyDoc = { _id: randomBytes(16).toString('hex'), projectId, label, createdAt: now, disabled: false }
  await stores.keys.insert(key)
  return key
}

/** The DSN an SDK is configured with: `http://PUBLIC_KEY@host/PROJECT_ID`. */
export function formatDsn(publicUrl: string, key: ProjectKeyDoc): string {
  const url = new URL(publicUrl)
  url.username = key._id
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${key.projectId}`
  return url.toString()
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Creates a token and returns its only plain copy; the store keeps the hash. */
export async function createApiToken(stores: ProjectStores, name: string, now = Date.now()): Promise<{ token: string; doc: ApiTokenDoc }> {
  const token = `flt_${randomBytes(24).toString('base64url')}`
  const doc: ApiTokenDoc = { _id: hashToken(token), name, prefix: token.slice(0, 8), createdAt: now }
  await stores.tokens.insert(doc)
  return { token, doc }
}

export async function findApiToken(stores: ProjectStores, token: string): Promise<ApiTokenDoc | null> {
  if (!/^flt_[A-Za-z0-9_-]{32}$/.test(token)) return null
  return stores.tokens.get(hashToken(token))
}
