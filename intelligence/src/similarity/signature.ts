export interface SignatureFrame {
  module?: string
  function?: string
  filename?: string
  inApp?: boolean
}

/** What an issue is compared by: its exception type, message template and top frames. */
export interface ErrorSignature {
  exceptionType: string
  /** The mined template (preferred) or the raw message. */
  message: string
  /** Innermost first. */
  frames: SignatureFrame[]
}

export const signatureDimensions = 1024

// Each feature kind hashes into its own range, so the learned projection can weigh kinds
// (library frames, message words, app frames) even for names it never saw in training.
const regions = {
  type: [0, 96],
  typePart: [96, 96],
  token: [192, 384],
  bigram: [576, 128],
  appFrame: [704, 128],
  libFrame: [832, 128],
  file: [960, 64],
} as const
export type FeatureKind = keyof typeof regions

export interface SignatureFeature {
  kind: FeatureKind
  value: string
  /** `kind:value`, the name shown in explanations. */
  name: string
}

const stopWords = new Set(['the', 'and', 'for', 'with', 'from', 'was', 'not', 'this', 'that', 'error', 'failed', 'exception'])
const topFrames = 5

function typeParts(type: string): string[] {
  return type
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.toLowerCase())
    .filter((part) => part.length >= 3 && !stopWords.has(part))
}

function messageTokens(message: string): string[] {
  return message
    .toLowerCase()
    .replace(/<[^<>\s]*>/g, ' ')
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((token) => token.length >= 3 && !stopWords.has(token) && !/\d/.test(token))
}

function frameName(frame: SignatureFrame): string {
  return `${frame.module ?? frame.filename ?? '?'}:${frame.function ?? '?'}`
}

/** The named features of a signature; each appears once. */
export function signatureFeatures(signature: ErrorSignature): SignatureFeature[] {
  const out = new Map<string, SignatureFeature>()
  const add = (kind: FeatureKind, value: string): void => {
    const name = `${kind}:${value}`
    if (!out.has(name)) out.set(name, { kind, value, name })
  }
  add('type', signature.exceptionType)
  for (const part of typeParts(signature.exceptionType)) add('typePart', part)
  const tokens = messageTokens(signature.message)
  for (const token of tokens) add('token', token)
  for (let i = 1; i < tokens.length; i++) add('bigram', `${tokens[i - 1]} ${tokens[i]}`)
  let app = 0
  let lib = 0
  for (const frame of signature.frames) {
    if (frame.inApp !== false && app < topFrames) {
      add('appFrame', frameName(frame))
      app++
    } else if (frame.inApp === false && lib < topFrames) {
      add('libFrame', frameName(frame))
      lib++
    }
    const file = frame.filename?.split('/').pop()
    if (file) add('file', file)
  }
  return [...out.values()]
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Signed feature hashing into `signatureDimensions` slots, L2-normalized. */
export function hashSignature(features: readonly SignatureFeature[], out = new Float32Array(signatureDimensions), offset = 0): Float32Array {
  let norm = 0
  for (const feature of features) {
    const [start, size] = regions[feature.kind]
    const hash = fnv1a(feature.value)
    const index = offset + start + (hash % size)
    out[index]! += hash & 0x80000000 ? -1 : 1
  }
  for (let i = offset; i < offset + signatureDimensions; i++) norm += out[i]! * out[i]!
  norm = Math.sqrt(norm)
  if (norm > 0) for (let i = offset; i < offset + signatureDimensions; i++) out[i] = out[i]! / norm
  return out
}
