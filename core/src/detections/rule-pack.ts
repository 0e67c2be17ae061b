/**
 * The built-in rule pack, on for every project unless the project disables a rule or replaces it
 * with its own of the same id. Each rule is written as its YAML, the way a project writes its own.
 */
import { parseRules, type DetectionRule } from './rule'

export const builtInRuleSource = `id: brute-force-single-ip
name: Brute force from one IP
description: Ten failed sign-ins from one address within 10 seconds.
kind: threshold
severity: high
where: 'event.action: authn_login_fail'
group_by: [source.ip]
window: 10s
threshold: 10
suppress: 1m
---
id: credential-stuffing
name: Credential stuffing
description: Fifty failed sign-ins from at least ten addresses within a minute, across the project.
kind: threshold
severity: high
where: 'event.action: authn_login_fail'
window: 1m
threshold: 50
cardinality: { field: source.ip, min: 10 }
suppress: 5m
---
id: password-spraying
name: Password spraying from one IP
description: One address failing to sign in as ten different users within 5 minutes.
kind: threshold
severity: high
where: 'event.action: authn_login_fail'
group_by: [source.ip]
window: 5m
threshold: 10
cardinality: { field: user.name, min: 10 }
suppress: 5m
---
id: impossible-travel
name: Impossible travel
description: One user signing in from two or more countries within 15 minutes.
kind: threshold
severity: critical
where: 'event.action: (authn_login_success or authn_login_successafterfail)'
group_by: [user.name]
window: 15m
threshold: 2
cardinality: { field: source.geo.country_iso_code, min: 2 }
suppress: 15m
---
id: success-after-failures
name: Sign-in after repeated failures
description: Five failed sign-ins followed by a successful one for the same user within 5 minutes.
kind: sequence
severity: high
group_by: [user.name]
max_span: 5m
steps:
  - where: 'event.action: authn_login_fail'
    count: 5
  - where: 'event.action: (authn_login_success or authn_login_successafterfail)'
---
id: injection-probing
name: Injection probing
description: Five inputs matching injection patterns from one address within a minute.
kind: threshold
severity: high
where: 'event.action: input_validation_fail'
group_by: [source.ip]
window: 1m
threshold: 5
suppress: 5m
---
id: authorization-failure-burst
name: Authorization failures burst
description: Ten denied requests from one address within a minute.
kind: threshold
severity: medium
where: 'event.action: authz_fail'
group_by: [source.ip]
window: 1m
threshold: 10
suppress: 5m
---
id: csp-script-blocked
name: Script blocked by CSP
description: A browser blocked a script source; once per blocked source and hour.
kind: threshold
severity: medium
where: 'event.action: csp_violation and attributes.csp.effective_directive: script-src* and attributes.csp.disposition: enforce'
group_by: [attributes.csp.blocked_uri]
window: 1h
threshold: 1
`

const parsed = parseRules(builtInRuleSource)
if (!parsed.ok) throw new Error(`the built-in rule pack does not parse: ${JSON.stringify(parsed.problems)}`)

export const builtInRules: readonly DetectionRule[] = parsed.rules
