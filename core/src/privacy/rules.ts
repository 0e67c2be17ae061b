/**
 * The scrubbing rule model, as data: what a rule matches (key names, or a value pattern) and what
 * it does to what it matched. Rule packs and per-project custom rules are both lists of these; the
 * engine in `ingest/src/scrub` compiles a list once per settings version.
 */
import { z } from 'zod'
import { compileLinearPattern } from './linear-regex'

/** Value detectors built into the engine, referenced by name from rules. */
export const Detectors = {
  privateKey: 'private-key',
  urlPassword: 'url-password',
  bearerToken: 'bearer-token',
  basicCredentials: 'basic-credentials',
  awsAccessKey: 'aws-access-key',
  paymentCard: 'payment-card',
  usSsn: 'us-ssn',
  email: 'email',
  phoneNumber: 'phone-number',
  ipAddress: 'ip-address',
  dateOfBirth: 'date-of-birth',
  usStreetAddress: 'us-street-address',
  usZipCode: 'us-zip-code',
  urlIdentifiers: 'url-identifiers',
  hl7v2: 'hl7v2',
  fhir: 'fhir',
} as const
export type Detector = (typeof Detectors)[keyof typeof Detectors]
const detectorNames = Object.values(Detectors) as [Detector, ...Detector[]]

export const FILTERED = '[Filtered]'

export const ruleActionSchema = z.discriminatedUnion('type', [
  /** Replace the value (or the matched part of a string) by a fixed text. */
  z.object({ type: z.literal('replace'), with: z.string().max(64).default(FILTERED) }),
  /** Replace every character by `*`, keeping a short prefix and suffix. */
  z.object({ type: z.literal('mask'), keepPrefix: z.number().int().min(0).max(8).default(0), keepSuffix: z.number().int().min(0).max(8).default(0) }),
  /** HMAC-SHA-256 under the project's hashing secret: `<rule id>:<12 hex>`; equal values stay joinable. */
  z.object({ type: z.literal('hash') }),
  /** Drop the key (or the matched part of a string). */
  z.object({ type: z.literal('remove') }),
])
export type RuleAction = z.infer<typeof ruleActionSchema>

const word = z.string().regex(/^[a-z0-9]{1,64}$/, 'lower-case letters and digits only')
const keyName = z.string().min(1).max(128)

export const keyMatchSchema = z
  .object({
    /** Whole key, case-insensitive. */
    exact: z.array(keyName).max(200).optional(),
    /** A word of the key (split at separators and camelCase: `patientFirstName` → patient, first, name). */
    words: z.array(word).max(200).optional(),
    /** A substring of the key with case and separators removed (`X-Api-Key` → `xapikey`). */
    contains: z.array(word).max(200).optional(),
    /** Whole key against a glob (`*` any run, `?` one character), case-insensitive. */
    glob: z.array(z.string().min(1).max(128)).max(50).optional(),
    /** Parent keys under which the rule does not apply (`name` under `os`, `runtime`, `browser`). */
    exceptUnder: z.array(keyName).max(100).optional(),
    /** Numbers under a matching key are kept (`input_tokens` is a count, not a token). */
    keepNumbers: z.boolean().default(false),
    /** Also mask `key=value`, `key: value` and `"key": "value"` written inside strings. */
    inText: z.boolean().default(true),
    /**
     * Phrases that label a value in prose (`MRN 12345678`, `login with password Tr0ub4dor&3xyz`):
     * the value after the phrase is masked when it looks like an identifier or a secret.
     */
    labels: z.array(z.string().regex(/^[A-Za-z0-9 ._-]{2,48}$/)).max(50).optional(),
    /** Shape of a value in text: one token, or a person's name (up to four capitalised words). */
    valueShape: z.enum(['token', 'name']).default('token'),
  })
  .refine((m) => (m.exact?.length ?? 0) + (m.words?.length ?? 0) + (m.contains?.length ?? 0) + (m.glob?.length ?? 0) > 0, {
    message: 'a key rule needs at least one of exact, words, contains or glob',
  })

export const valueMatchSchema = z.union([
  z.object({ detector: z.enum(detectorNames) }).strict(),
  z
    .object({
      /**
       * A regular expression run in linear time (see linear-regex.ts). When it has one capture
       * group that starts or ends the match, only the group is replaced.
       */
      pattern: z.string().min(1).max(500),
    })
    .strict()
    .superRefine((value, ctx) => {
      const compiled = compileLinearPattern(value.pattern)
      if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.reason })
    }),
])

export const ruleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lower-case letters, digits and dashes, at most 48')

export const ruleSchema = z
  .object({
    id: ruleIdSchema,
    description: z.string().max(500).default(''),
    keys: keyMatchSchema.optional(),
    value: valueMatchSchema.optional(),
    action: ruleActionSchema.default({ type: 'replace', with: FILTERED }),
  })
  .strict()
  .refine((rule) => (rule.keys === undefined) !== (rule.value === undefined), { message: 'a rule matches either keys or a value, exactly one of them' })

export type Rule = z.infer<typeof ruleSchema>
export type RuleInput = z.input<typeof ruleSchema>
export type KeyMatch = z.infer<typeof keyMatchSchema>
