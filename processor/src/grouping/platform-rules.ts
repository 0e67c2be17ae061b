/**
 * The per-platform parts of Sentry's `frame:v1` grouping: how a frame's function and module are
 * cleaned before they are hashed, so generated names (lambdas, proxies, template arguments,
 * parameter lists) do not split one error into many issues.
 */
import type { NormalizedFrame } from '../normalize'

export const BehaviorFamily = { JavaScript: 'javascript', Native: 'native', Other: 'other' } as const
export type BehaviorFamily = (typeof BehaviorFamily)[keyof typeof BehaviorFamily]

const nativePlatforms = new Set(['objc', 'cocoa', 'swift', 'native', 'c'])

export function behaviorFamily(platform: string | undefined): BehaviorFamily {
  if (platform === 'javascript' || platform === 'node') return BehaviorFamily.JavaScript
  return platform !== undefined && nativePlatforms.has(platform) ? BehaviorFamily.Native : BehaviorFamily.Other
}

/** Where source lines are trusted to be the same file for the same release (Sentry's list). */
const contextLinePlatforms = new Set(['javascript', 'node', 'python', 'php', 'ruby'])

export function usesContextLine(platform: string | undefined): boolean {
  return platform !== undefined && contextLinePlatforms.has(platform)
}

const anonymousFunctions = new Set(['?', '<anonymous>', '<anonymous function>', 'Anonymous function'])

export function isAnonymousFunction(name: string | undefined): boolean {
  if (!name) return true
  return anonymousFunctions.has(name) || name.endsWith('/<')
}

/**
 * Sentry's JavaScript function trimming plus the decorations V8 adds: `async `, `new `, the
 * ` [as alias]` suffix, and namespaces (`Object.foo`, `Module._load`, `OrderService.getTotal`
 * all keep only the last part, which also makes browsers agree).
 */
export function trimFunctionName(raw: string): string {
  let name = raw.trim()
  name = name.replace(/^async\s+/, '').replace(/^new\s+/, '')
  name = name.replace(/\s*\[as [^\]]*\]$/, '')
  return name.split('.').at(-1) ?? name
}

/** Index of the bracket opening the group that closes at `end`, or -1. */
function openingBracket(text: string, end: number, open: string, close: string): number {
  let depth = 0
  for (let i = end; i >= 0; i--) {
    if (text[i] === close) depth++
    else if (text[i] === open && --depth === 0) return i
  }
  return -1
}

/** Template arguments become `<T>` (operators such as `operator<<` are left alone). */
function collapseTemplates(name: string): string {
  let out = ''
  let depth = 0
  for (let i = 0; i < name.length; i++) {
    const char = name[i] as string
    if (char === '<' && depth === 0 && /operator\s*<*$/.test(name.slice(0, i + 1))) {
      out += char
      continue
    }
    if (char === '<') {
      if (depth++ === 0) out += '<T>'
      continue
    }
    if (char === '>' && depth > 0) {
      depth--
      continue
    }
    if (depth === 0) out += char
  }
  return out
}

/** The last space outside parentheses: what separates a return type from the name. */
function lastTopLevelSpace(name: string): number {
  let depth = 0
  for (let i = name.length - 1; i >= 0; i--) {
    const char = name[i]
    if (char === ')') depth++
    else if (char === '(') depth--
    else if (char === ' ' && depth === 0) return i
  }
  return -1
}

/**
 * A C/C++/Swift signature reduced to its qualified name, as Sentry's native trimming does:
 * `void std::vector<int>::push_back(int const&) const` → `std::vector<T>::push_back`.
 * Objective-C selectors (`-[Cart add:]`) are names already.
 */
export function trimNativeFunction(raw: string): string {
  if (/^[-+]\[/.test(raw)) return raw
  let name = (raw.split(' -> ', 1)[0] ?? raw).trim()
  for (let previous = ''; previous !== name; ) {
    previous = name
    // Anchored without a leading `\s*`, so a hostile name costs linear time per pass.
    name = name.replace(/(?:(?<=\s)(?:const|volatile|noexcept)|&&?)$/, '').trimEnd()
  }
  if (name.endsWith(')')) {
    const open = openingBracket(name, name.length - 1, '(', ')')
    if (open > 0) name = name.slice(0, open).trim()
  }
  name = collapseTemplates(name)
  if (!/\boperator\b/.test(name)) name = name.slice(lastTopLevelSpace(name) + 1)
  return name || raw
}

const unknownNativeFunctions = new Set(['<redacted>', '<unknown>'])
const rubyErbSuffix = /__\d{4,}_\d{4,}$/

/** The function name that takes part in grouping, or undefined when it must not. */
export function groupingFunction(frame: NormalizedFrame, platform: string | undefined): string | undefined {
  // .NET symbolication rewrote `function` late in Sentry's history; its raw name stayed stable.
  const name = platform === 'csharp' ? (frame.rawFunction ?? frame.function) : (frame.function ?? frame.rawFunction)
  if (!name) return undefined
  switch (behaviorFamily(platform)) {
    case BehaviorFamily.JavaScript: {
      const trimmed = trimFunctionName(name)
      return isAnonymousFunction(trimmed) ? undefined : trimmed
    }
    case BehaviorFamily.Native:
      if (unknownNativeFunctions.has(name)) return undefined
      return frame.rawFunction === undefined ? trimNativeFunction(name) : name
  }
  if (platform === 'java' && name.startsWith('lambda$')) return undefined
  if (platform === 'php' && (name.startsWith('[Anonymous') || name.startsWith('class@anonymous'))) return undefined
  if (platform === 'ruby') return name.startsWith('block ') ? 'block' : name.replace(rubyErbSuffix, '')
  return name
}

const javaCodegen: readonly [RegExp, string][] = [
  [/(sun\.reflect\.Generated(?:Serialization)?ConstructorAccessor)\d+/g, '$1<auto>'],
  [/(\$\$[\w_]+?CGLIB\$\$)[a-fA-F0-9]+(_[0-9]+)?/g, '$1<auto>'],
  [/(\$\$_javassist)(?:_seam)?(?:_[0-9]+)?/g, '$1<auto>'],
  [/(\$fn__)\d+/g, '$1<auto>'],
]
const javaReflection = ['sun.reflect.GeneratedMethodAccessor', 'jdk.internal.reflect.GeneratedMethodAccessor']

/** A JVM module with the numbers code generators put in class names replaced; lambdas do not count. */
export function javaModule(module: string): string | undefined {
  if (module.includes('$$Lambda$')) return undefined
  const reflection = javaReflection.find((prefix) => module.startsWith(prefix))
  if (reflection) return reflection
  return javaCodegen.reduce((name, [pattern, replacement]) => name.replace(pattern, replacement), module)
}
