/**
 * Which decoder a request body needs, from its `Content-Encoding` header. Only the header decides:
 * a body is never sniffed for gzip magic bytes, so an identity body that happens to start with
 * them stays identity.
 */
export const BodyEncodings = {
  identity: 'identity',
  gzip: 'gzip',
  deflate: 'deflate',
  br: 'br',
} as const
export type BodyEncoding = (typeof BodyEncodings)[keyof typeof BodyEncodings]

export type EncodingResult = { ok: true; encoding: BodyEncoding } | { ok: false; reason: string }

const aliases: Record<string, BodyEncoding> = {
  identity: 'identity',
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
}

/**
 * One encoding at most (identity tokens aside): stacked encodings such as `gzip, br` are refused
 * rather than unwrapped, as each layer would multiply the decompression work a client can ask for.
 */
export function parseContentEncoding(header: string | null | undefined): EncodingResult {
  if (header === null || header === undefined) return { ok: true, encoding: 'identity' }
  const tokens = header
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '' && token !== 'identity')
  if (tokens.length === 0) return { ok: true, encoding: 'identity' }
  if (tokens.length > 1) return { ok: false, reason: `multiple content encodings are not supported: ${header.slice(0, 100)}` }
  const encoding = aliases[tokens[0] as string]
  if (encoding === undefined) return { ok: false, reason: `unsupported content encoding: ${header.slice(0, 100)}` }
  return { ok: true, encoding }
}
