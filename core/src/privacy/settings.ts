/**
 * A project's privacy settings: which rule packs run, its own rules, keys it allows through, how
 * IP addresses and `user.email` are kept, and how long its events are retained. Validated here,
 * at the API edge, and again when ingest compiles them.
 */
import { z } from 'zod'
import { DEFAULT_RETENTION_DAYS } from '../event-store/retention-migration'
import { defaultPack } from './default-pack'
import { healthcarePack } from './healthcare-pack'
import { ruleIdSchema, ruleSchema, type Rule } from './rules'

export const RulePacks = { default: defaultPack, healthcare: healthcarePack } as const
export type RulePackName = keyof typeof RulePacks

/**
 * How IP addresses in `user.ip_address` (also `{{auto}}`), `REMOTE_ADDR` and client-IP headers are
 * kept: `hash` (keyed, so one address still counts as one user), `truncate` (last IPv4 octet or
 * last 80 IPv6 bits zeroed), `remove`, or `keep`.
 */
export const IpHandlings = { keep: 'keep', hash: 'hash', truncate: 'truncate', remove: 'remove' } as const
export type IpHandling = (typeof IpHandlings)[keyof typeof IpHandlings]

/** `user.email` (and a user id or username that is an address): keyed `hash`, `remove`, or `keep`. */
export const EmailHandlings = { keep: 'keep', hash: 'hash', remove: 'remove' } as const
export type EmailHandling = (typeof EmailHandlings)[keyof typeof EmailHandlings]

export { DEFAULT_RETENTION_DAYS }
export const MAX_RETENTION_DAYS = 3650

export const privacySettingsSchema = z
  .object({
    packs: z.object({ default: z.boolean().default(true), healthcare: z.boolean().default(true) }).strict().default({ default: true, healthcare: true }),
    /** Rule ids of enabled packs to leave out, e.g. `emails`. */
    disabledRules: z.array(ruleIdSchema).max(200).default([]),
    /** Applied before the packs, so a custom rule can change what a pack would do to a key. */
    customRules: z.array(ruleSchema).max(100).default([]),
    /** Keys (case-insensitive, exact) whose values are never scrubbed; cookies and authorization stay filtered. */
    allowKeys: z.array(z.string().min(1).max(128)).max(200).default([]),
    ipAddresses: z.enum(IpHandlings).default('hash'),
    userEmail: z.enum(EmailHandlings).default('hash'),
    retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).default(DEFAULT_RETENTION_DAYS),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const seen = new Set<string>()
    settings.customRules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['customRules', index, 'id'], message: `duplicate rule id ${rule.id}` })
      seen.add(rule.id)
    })
  })

export type PrivacySettings = z.infer<typeof privacySettingsSchema>
export type PrivacySettingsInput = z.input<typeof privacySettingsSchema>

/** Instance-wide defaults that apply to projects with no stored settings (`SCRUB_IP_ADDRESSES`). */
export interface PrivacyDefaults {
  scrubIpAddresses: boolean
}

export function defaultPrivacySettings(defaults: PrivacyDefaults = { scrubIpAddresses: false }): PrivacySettings {
  return privacySettingsSchema.parse({ ipAddresses: defaults.scrubIpAddresses ? 'remove' : 'hash' })
}

const packRules: Record<RulePackName, Rule[]> = {
  default: defaultPack.map((rule) => ruleSchema.parse(rule)),
  healthcare: healthcarePack.map((rule) => ruleSchema.parse(rule)),
}

/** The parsed rules of a pack, with every default filled in. */
export function packRulesOf(pack: RulePackName): readonly Rule[] {
  return packRules[pack]
}

/** The rules a project runs, in the order they apply: custom rules, then each enabled pack. */
export function effectiveRules(settings: PrivacySettings): Rule[] {
  const disabled = new Set(settings.disabledRules)
  const rules: Rule[] = [...settings.customRules]
  for (const pack of Object.keys(packRules) as RulePackName[]) {
    if (settings.packs[pack]) rules.push(...packRules[pack].filter((rule) => !disabled.has(rule.id)))
  }
  return rules
}
