/**
 * Similar issues and pattern clusters. An issue's signature (exception type, message template,
 * top frames of its latest event) is embedded by the ONNX model; embeddings are cached in memory
 * per issue and model version, so a request embeds only issues it has not seen.
 */
import type { IssueDoc } from '@faultline/core/issues'
import type { Platform } from '@faultline/core/platform'
import {
  clusterEmbeddings,
  sharedFeatures,
  similarIssues,
  type EmbeddedIssues,
  type ErrorSignature,
  type SignatureEmbedder,
  type SignatureFeature,
  type SignatureFrame,
} from '@faultline/intelligence'

type Db = Pick<Platform, 'issues' | 'eventStore'>

/** Issues compared per request, the most recently seen first. */
export const maxComparedIssues = 2000
const maxCachedIssues = 50_000
const cacheTtlMs = 3_600_000
const fingerprintChunk = 500

interface CachedEmbedding {
  key: string
  embedding: Float32Array
  features: SignatureFeature[]
  at: number
}

interface PayloadException {
  type?: string
  value?: string
  frames?: Array<{ module?: string; function?: string; filename?: string; inApp?: boolean }>
}

export class IssueSimilarity {
  readonly #db: Db
  readonly #cache = new Map<string, CachedEmbedding>()

  constructor(db: Db) {
    this.#db = db
  }

  /** The `k` issues of the project most similar to `issue`, with the signature features they share. */
  async similar(embedder: SignatureEmbedder, issue: IssueDoc, k: number, minScore: number) {
    const others = await this.#db.issues.issues.find(issue.orgId, { projectId: issue.projectId, status: { $ne: 'merged' } }, { sort: { field: 'lastSeen', direction: 'desc' }, limit: maxComparedIssues })
    const issues = [issue, ...others.filter((other) => other._id !== issue._id)]
    const set = await this.embed(embedder, issues)
    const byId = new Map(issues.map((i) => [i._id, i]))
    return {
      issueId: issue._id,
      modelVersion: set.modelVersion,
      compared: issues.length - 1,
      similar: similarIssues(set, issue._id, k, minScore).map((s) => ({ issueId: s.id, title: byId.get(s.id)!.title, culprit: byId.get(s.id)!.culprit, score: s.score, shared: s.shared })),
    }
  }

  /** Groups of active issues whose embeddings lie within `threshold` cosine of each other. */
  async clusters(embedder: SignatureEmbedder, orgId: string, projectId: string, since: number, threshold: number) {
    const issues = await this.#db.issues.issues.find(
      orgId,
      { projectId, status: { $ne: 'merged' }, lastSeen: { $gte: since } },
      { sort: { field: 'lastSeen', direction: 'desc' }, limit: maxComparedIssues },
    )
    const set = await this.embed(embedder, issues)
    const clusters = clusterEmbeddings(set.embeddings, set.dim, threshold).map((members) => {
      let common = set.features[members[0]!]!
      for (const m of members.slice(1)) {
        const names = new Set(set.features[m]!.map((f) => f.name))
        common = common.filter((f) => names.has(f.name))
      }
      return {
        issueIds: members.map((m) => set.ids[m]!),
        titles: members.map((m) => issues[m]!.title),
        minScore: minPairScore(set, members),
        shared: sharedFeatures(common, common, 8),
      }
    })
    clusters.sort((a, b) => b.issueIds.length - a.issueIds.length || b.minScore - a.minScore)
    return { modelVersion: set.modelVersion, threshold, issues: issues.length, clusters }
  }

  /** Embeddings of `issues` in order, from the cache where the issue's signature key is unchanged. */
  async embed(embedder: SignatureEmbedder, issues: IssueDoc[]): Promise<EmbeddedIssues<string>> {
    const version = embedder.model.version
    const now = Date.now()
    const keyOf = (issue: IssueDoc) => `${version}|${issue.fingerprints.join(',')}`
    const missing = issues.filter((issue) => {
      const hit = this.#cache.get(issue._id)
      return !hit || hit.key !== keyOf(issue) || now - hit.at > cacheTtlMs
    })
    let modelVersion = version
    if (missing.length > 0) {
      const signatures = await this.#signatures(missing)
      const fresh = await embedder.embed(missing.map((issue) => ({ id: issue._id, signature: signatures.get(issue._id)! })))
      modelVersion = fresh.modelVersion
      if (this.#cache.size + missing.length > maxCachedIssues) this.#cache.clear()
      missing.forEach((issue, i) => {
        this.#cache.set(issue._id, { key: `${fresh.modelVersion}|${issue.fingerprints.join(',')}`, embedding: fresh.embeddings.slice(i * fresh.dim, (i + 1) * fresh.dim), features: fresh.features[i]!, at: now })
      })
    }
    const dim = this.#cache.get(issues[0]?._id ?? '')?.embedding.length ?? 0
    const embeddings = new Float32Array(issues.length * dim)
    const features: SignatureFeature[][] = []
    issues.forEach((issue, i) => {
      const hit = this.#cache.get(issue._id)!
      embeddings.set(hit.embedding, i * dim)
      features.push(hit.features)
    })
    return { ids: issues.map((i) => i._id), embeddings, dim, features, modelVersion }
  }

  /** Signatures from each issue's latest stored event; the issue's own fields when none is stored. */
  async #signatures(issues: IssueDoc[]): Promise<Map<string, ErrorSignature>> {
    const latest = await this.#latestEvents(issues)
    const out = new Map<string, ErrorSignature>()
    for (const issue of issues) {
      const event = issue.fingerprints.map((fp) => latest.get(fp)).find((e) => e !== undefined)
      const exceptions = (event?.payload.exceptions ?? []) as PayloadException[]
      const outermost = exceptions.at(-1)
      // Stored frames run oldest call first; signatures want the innermost first.
      const frames: SignatureFrame[] = [...(outermost?.frames ?? [])].reverse().map((f) => ({ module: f.module, function: f.function, filename: f.filename, inApp: f.inApp }))
      out.set(issue._id, {
        exceptionType: outermost?.type || issue.type || '',
        message: event?.template || outermost?.value || issue.value || issue.title,
        frames,
      })
    }
    return out
  }

  async #latestEvents(issues: IssueDoc[]): Promise<Map<string, { template: string; payload: Record<string, unknown> }>> {
    const { client, database } = this.#db.eventStore
    const out = new Map<string, { template: string; payload: Record<string, unknown> }>()
    const projectId = issues[0]?.projectId
    const fingerprints = issues.flatMap((issue) => issue.fingerprints)
    for (let at = 0; at < fingerprints.length; at += fingerprintChunk) {
      const chunk = fingerprints.slice(at, at + fingerprintChunk)
      const result = await client.query({
        query: `SELECT fingerprint, template, payload FROM ${database}.error_events
                WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}
                  AND (fingerprint, timestamp) IN (
                    SELECT fingerprint, max(timestamp) FROM ${database}.error_events
                    WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)} GROUP BY fingerprint)
                LIMIT 1 BY fingerprint`,
        query_params: { project: Number(projectId), fingerprints: chunk },
        format: 'JSONEachRow',
      })
      for (const row of await result.json<{ fingerprint: string; template: string; payload: string }>()) {
        out.set(row.fingerprint, { template: row.template, payload: JSON.parse(row.payload) as Record<string, unknown> })
      }
    }
    return out
  }
}

/** The lowest cosine between two members (the first 100): how tight a cluster is. */
function minPairScore(set: EmbeddedIssues<string>, all: number[]): number {
  const members = all.slice(0, 100)
  let min = 1
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++) {
      let score = 0
      for (let j = 0; j < set.dim; j++) score += set.embeddings[members[a]! * set.dim + j]! * set.embeddings[members[b]! * set.dim + j]!
      min = Math.min(min, score)
    }
  }
  return min
}
