/**
 * What applying a configuration would change, section by section: named things added, removed
 * or changed (receivers, rules, time intervals), and whether the routing tree, inhibition rules,
 * silences or global settings changed. Shown before an apply, and returned by it.
 */
import { isDeepStrictEqual } from 'node:util'

export interface ConfigDiff {
  changed: boolean
  receivers: NamedChanges
  rules: NamedChanges
  time_intervals: NamedChanges
  route: boolean
  inhibit_rules: boolean
  silences: boolean
  global: boolean
}

export interface NamedChanges {
  added: string[]
  removed: string[]
  changed: string[]
}

type Source = Record<string, unknown> | null | undefined

function named(before: unknown, after: unknown): NamedChanges {
  const index = (list: unknown) => new Map((Array.isArray(list) ? list : []).map((item: { name?: string }) => [String(item?.name), item]))
  const a = index(before)
  const b = index(after)
  return {
    added: [...b.keys()].filter((name) => !a.has(name)),
    removed: [...a.keys()].filter((name) => !b.has(name)),
    changed: [...b.keys()].filter((name) => a.has(name) && !isDeepStrictEqual(a.get(name), b.get(name))),
  }
}

export function diffConfigs(before: Source, after: Source): ConfigDiff {
  const section = (key: string) => !isDeepStrictEqual(before?.[key], after?.[key])
  const diff = {
    receivers: named(before?.receivers, after?.receivers),
    rules: named(before?.rules, after?.rules),
    time_intervals: named(before?.time_intervals, after?.time_intervals),
    route: section('route'),
    inhibit_rules: section('inhibit_rules'),
    silences: section('silences'),
    global: section('global'),
  }
  const anyNamed = [diff.receivers, diff.rules, diff.time_intervals].some((c) => c.added.length + c.removed.length + c.changed.length > 0)
  return { changed: anyNamed || diff.route || diff.inhibit_rules || diff.silences || diff.global, ...diff }
}
