/**
 * What the SDK would have said about a frame that came without `in_app`: library, runtime and
 * operating-system code is not the application's. Sentry decides this with its default
 * enhancement rules; these are the path, module and package rules of those that need no
 * per-project configuration.
 */

const systemPaths: readonly RegExp[] = [
  /(^|[/\\])node_modules([/\\]|$)/,
  /[/\\](?:site|dist)-packages[/\\]/,
  /[/\\]vendor[/\\]/,
  /[/\\]gems[/\\]/,
  /^\/usr\/(?:local\/)?lib\//,
  /^\/lib(?:32|64)?\//,
  /^\/(?:system|apex)\//,
  /^\/System\/Library\//,
  /^[A-Za-z]:\\Windows\\/i,
  /^node:/,
  /^internal\//,
  /^\[native code\]$/,
  /^native$/,
  /^<anonymous>$/,
]

// JVM (Java, Kotlin, Android) and .NET (Unity included) namespaces of runtimes and common libraries.
const systemModules =
  /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|android|androidx|com\.android|dalvik|libcore|com\.google\.android|io\.sentry|okhttp3|okio|System|Microsoft|Mono|UnityEngine|UnityEditor|Sentry|Newtonsoft)(?:\.|$)/

// .NET assemblies name their package by assembly: `System.Private.CoreLib, Version=…`.
const systemAssemblies = /^(?:System|Microsoft|mscorlib|netstandard|UnityEngine|Sentry)(?:[.,]|$)/

export interface InAppHints {
  path?: string
  module?: string
  package?: string
}

export function inferInApp({ path, module, package: pkg }: InAppHints): boolean {
  if (module !== undefined && systemModules.test(module)) return false
  if (path !== undefined) return !systemPaths.some((pattern) => pattern.test(path))
  // A native frame has no source path, only the binary it is in.
  if (pkg !== undefined) return !systemAssemblies.test(pkg) && !systemPaths.some((pattern) => pattern.test(pkg))
  // Nothing to go by: taken as runtime code, so it never outweighs the application's frames.
  return false
}
