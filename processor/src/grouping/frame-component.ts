import type { NormalizedFrame } from '../normalize'
import { BehaviorFamily, behaviorFamily, groupingFunction, isAnonymousFunction, javaModule, trimFunctionName, usesContextLine } from './platform-rules'

/**
 * One stack frame's grouping values, after Sentry's `frame:v1` rules. Line and column numbers and
 * addresses never take part: a deploy that only shifts lines keeps the group.
 */
export interface FrameComponent {
  contributes: boolean
  /** Why it does not contribute, for the UI. */
  hint?: string
  module?: string
  filename?: string
  function?: string
  contextLine?: string
  /** An unsymbolicated native frame: its binary and the offset into it. */
  package?: string
  offset?: string
}

const maxContextLineLength = 120
const lowQualityPaths = new Set(['[native code]', 'native code', 'eval code', '<anonymous>'])

/** Frames pointing at a URL (and `file:` for context lines) come from environments whose source may differ per load. */
export function hasUrlOrigin(path: string | undefined, filesCountAsUrls: boolean): boolean {
  if (!path) return false
  if (/^(?:https?|applewebdata|blob):/.test(path)) return true
  return filesCountAsUrls && path.startsWith('file:')
}

const versionSegment = /(^|[.\-_~@])v?\d+(?:\.\d+)+(?=[.\-_~]|$)/g
const separators = /([.\-_~])/

/** Content hashes bundlers put in names: hex with a digit from 5 characters, or long mixed alphanumerics. */
function isHashLike(segment: string): boolean {
  if (/^[0-9a-f]{5,}$/i.test(segment) && /\d/.test(segment) && /[a-f]/i.test(segment)) return true
  if (/^\d{8,}$/.test(segment)) return true
  return segment.length >= 8 && /^[A-Za-z0-9]+$/.test(segment) && /\d.*\d/.test(segment) && /[A-Za-z]/.test(segment)
}

/** `app.3f9a1b.js` → `app.<hash>.js`, `jquery-3.6.0.min.js` → `jquery-<version>.min.js`. */
export function stripBuildMarkers(name: string): string {
  const withoutVersions = name.replace(versionSegment, '$1<version>')
  return withoutVersions
    .split(separators)
    .map((part) => (isHashLike(part) ? '<hash>' : part))
    .join('')
}

/** The basename without query, fragment or scheme, lowercased as Sentry does, build markers stripped. */
export function normalizeFilename(filename: string): string {
  const withoutQuery = filename.replace(/[?#].*$/, '')
  const basename = withoutQuery.split(/[/\\]/).at(-1) ?? ''
  return stripBuildMarkers(basename.toLowerCase())
}

/** The module as it groups: cleaned of bundle hashes (JavaScript) or generated class names (Java). */
function usableModule(frame: NormalizedFrame, platform: string | undefined): string | undefined {
  const module = frame.module
  if (!module) return undefined
  if (platform === 'java') return javaModule(module)
  if (behaviorFamily(platform) !== BehaviorFamily.JavaScript) return module
  // Sentry ignores a JavaScript module that is just the path it came from ("bad javascript module").
  const path = frame.absPath ?? frame.filename
  if (module.includes('/') && path?.endsWith(module)) return undefined
  return stripBuildMarkers(module)
}

function usableContextLine(frame: NormalizedFrame, platform: string | undefined): string | undefined {
  const raw = frame.contextLine
  if (!raw || raw.length > maxContextLineLength || !usesContextLine(platform)) return undefined
  const line = raw.split(/\s+/).filter(Boolean).join(' ')
  if (!line) return undefined
  // Sentry: source fetched from a URL without a function name is not trusted to be stable.
  const trimmed = frame.function ? trimFunctionName(frame.function) : undefined
  if (isAnonymousFunction(trimmed) && hasUrlOrigin(frame.absPath ?? frame.filename, true)) return undefined
  return line
}

function isLowQualityJavaScript(frame: NormalizedFrame): boolean {
  const path = frame.absPath ?? frame.filename
  const trimmed = frame.function ? trimFunctionName(frame.function) : undefined
  return trimmed === 'eval' || (path !== undefined && lowQualityPaths.has(path))
}

/** `platform` is the event's; a frame's own platform (a JavaScript frame in a native crash) wins. */
export function frameComponent(frame: NormalizedFrame, eventPlatform?: string): FrameComponent {
  const platform = frame.platform ?? eventPlatform
  const module = usableModule(frame, platform)
  // Unlike Sentry, a filename from a URL still counts: with query and content hash stripped its
  // basename is stable across deploys, and it tells same-named functions in two bundles apart.
  const filename = module === undefined && frame.filename ? normalizeFilename(frame.filename) : undefined
  const component: FrameComponent = {
    contributes: true,
    module,
    filename: filename && filename !== '<anonymous>' && filename !== '[native code]' ? filename : undefined,
    function: groupingFunction(frame, platform),
    contextLine: usableContextLine(frame, platform),
  }
  const family = behaviorFamily(platform)
  if (family === BehaviorFamily.JavaScript && isLowQualityJavaScript(frame)) {
    return { ...component, contributes: false, hint: 'low quality javascript frame' }
  }
  if (!component.module && !component.filename && !component.function && !component.contextLine) {
    const location = family === BehaviorFamily.Native ? binaryOffset(frame) : undefined
    return location ? { ...component, ...location } : { ...component, contributes: false, hint: 'nothing to group by' }
  }
  return component
}

/**
 * Where an unsymbolicated native frame is: its binary's name and the offset into it, which
 * stays the same for the same build wherever the binary was loaded. Sentry symbolicates such
 * frames first; Faultline has no symbols, and this is what still tells two crashes apart.
 */
function binaryOffset(frame: NormalizedFrame): { package: string; offset: string } | undefined {
  if (!frame.package || !frame.instructionAddr || !frame.imageAddr) return undefined
  const offset = BigInt(frame.instructionAddr) - BigInt(frame.imageAddr)
  if (offset < 0n) return undefined
  const binary = (frame.package.split(/[/\\]/).at(-1) ?? frame.package).toLowerCase()
  return { package: binary, offset: `0x${offset.toString(16)}` }
}

/** The human-readable and hashed form of a frame. */
export function describeFrame(component: FrameComponent): string {
  const parts: string[] = []
  if (component.module) parts.push(`module=${component.module}`)
  if (component.filename) parts.push(`file=${component.filename}`)
  if (component.function) parts.push(`function=${component.function}`)
  if (component.contextLine) parts.push(`context=${JSON.stringify(component.contextLine)}`)
  if (component.package) parts.push(`package=${component.package} offset=${component.offset ?? ''}`)
  return `frame: ${parts.join(' ')}`
}
