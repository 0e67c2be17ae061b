/**
 * Projects and their DSN keys. Every project belongs to one organization, and may be limited to
 * some of its teams. DSN public keys are not secrets (browsers embed them) and are stored as they
 * are. A key being rotated keeps working until its `expiresAt`; a revoked key stops at once.
 */
import { randomBytes } from 'node:crypto'
import { MetadataError } from '../errors'
import type { Collection, CollectionSpec, MetadataStore } from '../ports/metadata'

/** What a project's apps run on: the dashboard leads the project's SDK setup with that platform's. */
export const ProjectPlatforms = { node: 'node', browser: 'browser', other: 'other' } as const
export type ProjectPlatform = (typeof ProjectPlatforms)[keyof typeof ProjectPlatforms]

export interface ProjectDoc {
  _id: string
  orgId: string
  name: string
  slug: string
  createdAt: number
  /** When non-empty, members, viewers and analysts reach the project only through these teams. */
  teamIds?: string[]
  platform?: ProjectPlatform
}

export interface ProjectKeyDoc {
  _id: string // the 32-hex public key
  orgId: string
  projectId: string
  label: string
  createdAt: number
  disabled: boolean
  /** Events per minute for this key; the instance default applies when absent. */
  rateLimitPerMinute?: number
  /** Set when the key was rotated: it keeps working until then, beside its successor. */
  expiresAt?: number
  revokedAt?: number
}

export interface CounterDoc {
  _id: string
  value: number
}

export interface ProjectStores {
  projects: Collection<ProjectDoc>
  keys: Collection<ProjectKeyDoc>
  counters: Collection<CounterDoc>
}

/** Slugs are unique within an organization (two organizations may each have a "shop"). */
export const projectsCollection: CollectionSpec = { name: 'projects', indexes: ['slug', 'orgId'], unique: [['orgId', 'slug']] }

export function openCounters(metadata: MetadataStore): Promise<Collection<CounterDoc>> {
  return metadata.collection<CounterDoc>({ name: 'counters', indexes: [] })
}

export async function openProjectStores(metadata: MetadataStore): Promise<ProjectStores> {
  return {
    projects: await metadata.collection<ProjectDoc>(projectsCollection),
    keys: await metadata.collection<ProjectKeyDoc>({ name: 'project_keys', indexes: ['projectId', 'orgId'] }),
    counters: await openCounters(metadata),
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

export async function createProject(stores: ProjectStores, orgId: string, name: string, now = Date.now()): Promise<{ project: ProjectDoc; key: ProjectKeyDoc }> {
  const trimmed = name.trim()
  const slug = slugify(trimmed)
  if (!slug) throw new MetadataError('invalid_query', `project name ${JSON.stringify(name)} has no letters or digits`)
  const id = String(await nextSequence(stores.counters, 'project'))
  const project: ProjectDoc = { _id: id, orgId, name: trimmed, slug, createdAt: now }
  await stores.projects.insert(project)
  const key = await createProjectKey(stores, project, 'Default', now)
  return { project, key }
}

export async function createProjectKey(
  stores: ProjectStores,
  project: Pick<ProjectDoc, '_id' | 'orgId'>,
  label: string,
  now = Date.now(),
  rateLimitPerMinute?: number,
): Promise<ProjectKeyDoc> {
  const key: ProjectKeyDoc = {
    _id: randomBytes(16).toString('hex'),
    orgId: project.orgId,
    projectId: project._id,
    label,
    createdAt: now,
    disabled: false,
    ...(rateLimitPerMinute !== undefined && { rateLimitPerMinute }),
  }
  await stores.keys.insert(key)
  return key
}

/** Why ingest refuses a key, or null when it may be used now. */
export function keyRefusal(key: ProjectKeyDoc, now = Date.now()): string | null {
  if (key.revokedAt !== undefined) return 'This DSN key was revoked'
  if (key.disabled) return 'This DSN key is disabled'
  if (key.expiresAt !== undefined && key.expiresAt <= now) return 'This DSN key was rotated and its overlap period is over'
  return null
}

/** The DSN an SDK is configured with: `http://PUBLIC_KEY@host/PROJECT_ID`. */
export function formatDsn(publicUrl: string, key: ProjectKeyDoc): string {
  const url = new URL(publicUrl)
  url.username = key._id
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${key.projectId}`
  return url.toString()
}
