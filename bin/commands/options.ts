/** A small flag parser for commands: `--name value`, `--name=value`, repeated flags, bare words. */
export interface ParsedArgs {
  words: string[]
  flags: Map<string, string[]>
}

export function parseArgs(args: string[], booleans: string[] = []): ParsedArgs {
  const words: string[] = []
  const flags = new Map<string, string[]>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith('--')) {
      words.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    const value = eq !== -1 ? arg.slice(eq + 1) : booleans.includes(name) ? 'true' : args[++i]
    if (value === undefined) throw new UsageError(`--${name} needs a value`)
    flags.set(name, [...(flags.get(name) ?? []), value])
  }
  return { words, flags }
}

export class UsageError extends Error {}

export function flag(parsed: ParsedArgs, name: string): string | undefined {
  return parsed.flags.get(name)?.at(-1)
}

export function flagList(parsed: ParsedArgs, name: string): string[] {
  return (parsed.flags.get(name) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
}

export function unknownFlags(parsed: ParsedArgs, known: string[]): string[] {
  return [...parsed.flags.keys()].filter((name) => !known.includes(name))
}
