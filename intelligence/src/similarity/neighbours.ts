import type { SignatureFeature } from './signature'

export interface Neighbour {
  index: number
  score: number
}

/** The k most cosine-similar rows to row `query` (rows are L2-normalized), best first. */
export function nearestNeighbours(embeddings: Float32Array, dim: number, query: number, k: number, minScore = -1): Neighbour[] {
  const rows = embeddings.length / dim
  const best: Neighbour[] = []
  const q = query * dim
  for (let row = 0; row < rows; row++) {
    if (row === query) continue
    let score = 0
    const base = row * dim
    for (let j = 0; j < dim; j++) score += embeddings[q + j]! * embeddings[base + j]!
    if (score < minScore || (best.length === k && score <= best[k - 1]!.score)) continue
    let at = best.length
    while (at > 0 && best[at - 1]!.score < score) at--
    best.splice(at, 0, { index: row, score })
    if (best.length > k) best.pop()
  }
  return best
}

const kindOrder = { libFrame: 0, type: 1, bigram: 2, token: 3, typePart: 4, file: 5, appFrame: 6 } as const

/** The features two signatures share, most telling kinds first (the "why" of a suggestion). */
export function sharedFeatures(a: readonly SignatureFeature[], b: readonly SignatureFeature[], limit = 6): string[] {
  const names = new Set(b.map((feature) => feature.name))
  return a
    .filter((feature) => names.has(feature.name))
    .sort((x, y) => kindOrder[x.kind] - kindOrder[y.kind])
    .slice(0, limit)
    .map((feature) => feature.name)
}

/**
 * Pattern clusters: average-linkage would be costlier; single linkage with a high threshold
 * (union of pairs closer than `threshold`) keeps clusters tight and runs in O(n²·dim).
 */
export function clusterEmbeddings(embeddings: Float32Array, dim: number, threshold: number): number[][] {
  const rows = embeddings.length / dim
  const parent = Array.from({ length: rows }, (_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  for (let a = 0; a < rows; a++) {
    for (let b = a + 1; b < rows; b++) {
      let score = 0
      for (let j = 0; j < dim; j++) score += embeddings[a * dim + j]! * embeddings[b * dim + j]!
      if (score >= threshold) parent[find(a)] = find(b)
    }
  }
  const groups = new Map<number, number[]>()
  for (let i = 0; i < rows; i++) groups.set(find(i), [...(groups.get(find(i)) ?? []), i])
  return [...groups.values()].filter((group) => group.length > 1)
}

/** Mean share of the k nearest neighbours that carry the query's label. */
export function precisionAtK(embeddings: Float32Array, dim: number, labels: readonly string[], k: number): number {
  let sum = 0
  for (let i = 0; i < labels.length; i++) {
    const found = nearestNeighbours(embeddings, dim, i, k)
    sum += found.filter((n) => labels[n.index] === labels[i]).length / k
  }
  return sum / labels.length
}
