/**
 * The stages that keep alerts out of notifications: silences (matchers over a time range) and
 * inhibition (a firing source alert mutes matching targets that share the `equal` labels; an
 * alert matching both sides does not mute itself), as in Alertmanager.
 */
import type { InhibitRule } from '../config'
import { matchesAll, type Matcher } from '../matchers'
import { isResolved, type Alert } from '../alerts'

export interface ActiveSilence {
  id: string
  matchers: Matcher[]
  startsAt: number
  endsAt: number
}

export function silencedBy(silences: readonly ActiveSilence[], alert: Alert, now: number): string[] {
  return silences.filter((s) => s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, alert.labels)).map((s) => s.id)
}

export class Inhibitor {
  readonly #rules: readonly InhibitRule[]
  /** Per rule, the `equal` label values of firing source alerts, with their fingerprints. */
  readonly #sources: Map<string, Set<string>>[]

  constructor(rules: readonly InhibitRule[], alerts: Iterable<Alert>, now: number) {
    this.#rules = rules
    this.#sources = rules.map(() => new Map())
    for (const alert of alerts) {
      if (isResolved(alert, now)) continue
      rules.forEach((rule, i) => {
        if (!matchesAll(rule.source_matchers, alert.labels)) return
        const key = equalKey(rule, alert)
        const fingerprints = this.#sources[i]!.get(key) ?? new Set()
        fingerprints.add(alert.fingerprint)
        this.#sources[i]!.set(key, fingerprints)
      })
    }
  }

  isInhibited(alert: Alert): boolean {
    return this.#rules.some((rule, i) => {
      if (!matchesAll(rule.target_matchers, alert.labels)) return false
      const sources = this.#sources[i]!.get(equalKey(rule, alert))
      if (!sources) return false
      return sources.size > 1 || !sources.has(alert.fingerprint)
    })
  }
}

const equalKey = (rule: InhibitRule, alert: Alert) => JSON.stringify(rule.equal.map((name) => alert.labels[name] ?? ''))
