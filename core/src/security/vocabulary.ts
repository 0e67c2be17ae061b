/**
 * The words of a security event. Actions follow the OWASP Logging Vocabulary (the names Faultline's
 * own audit log uses too), plus the browser reports (CSP, COEP, COOP, Permissions Policy, integrity,
 * HPKP, Expect-CT, Expect-Staple) OWASP has no word for. Any other lower-case name is accepted, so
 * other systems can send their own; known actions get ECS defaults for what the sender left out.
 */

export const SecurityActions = {
  loginSuccess: 'authn_login_success',
  loginSuccessAfterFail: 'authn_login_successafterfail',
  loginFail: 'authn_login_fail',
  loginFailMax: 'authn_login_fail_max',
  loginLock: 'authn_login_lock',
  passwordChange: 'authn_password_change',
  passwordChangeFail: 'authn_password_change_fail',
  impossibleTravel: 'authn_impossible_travel',
  tokenCreated: 'authn_token_created',
  tokenRevoked: 'authn_token_revoked',
  tokenReuse: 'authn_token_reuse',
  tokenDelete: 'authn_token_delete',
  authzFail: 'authz_fail',
  authzChange: 'authz_change',
  authzAdmin: 'authz_admin',
  rateLimitExceeded: 'excess_rate_limit_exceeded',
  uploadComplete: 'upload_complete',
  uploadStored: 'upload_stored',
  uploadValidation: 'upload_validation',
  uploadDelete: 'upload_delete',
  inputValidationFail: 'input_validation_fail',
  maliciousExcess404: 'malicious_excess_404',
  maliciousExtraneous: 'malicious_extraneous',
  maliciousAttackTool: 'malicious_attack_tool',
  maliciousCors: 'malicious_cors',
  maliciousDirectReference: 'malicious_direct_reference',
  privilegeChanged: 'privilege_permissions_changed',
  sensitiveCreate: 'sensitive_create',
  sensitiveRead: 'sensitive_read',
  sensitiveUpdate: 'sensitive_update',
  sensitiveDelete: 'sensitive_delete',
  sequenceFail: 'sequence_fail',
  sessionCreated: 'session_created',
  sessionRenewed: 'session_renewed',
  sessionExpired: 'session_expired',
  sessionUseAfterExpire: 'session_use_after_expire',
  sysStartup: 'sys_startup',
  sysShutdown: 'sys_shutdown',
  sysRestart: 'sys_restart',
  sysCrash: 'sys_crash',
  sysMonitorDisabled: 'sys_monitor_disabled',
  sysMonitorEnabled: 'sys_monitor_enabled',
  userCreated: 'user_created',
  userUpdated: 'user_updated',
  userArchived: 'user_archived',
  userDeleted: 'user_deleted',
  cspViolation: 'csp_violation',
  coepViolation: 'coep_violation',
  coopViolation: 'coop_violation',
  permissionsPolicyViolation: 'permissions_policy_violation',
  integrityViolation: 'integrity_violation',
  hpkpFailure: 'hpkp_failure',
  expectCtFailure: 'expect_ct_failure',
  expectStapleFailure: 'expect_staple_failure',
} as const
export type SecurityAction = (typeof SecurityActions)[keyof typeof SecurityActions]

/** An action name: lower case, digits, `_ . : -`; OWASP's `name:detail` suffixes are kept in the name. */
export const actionPattern = /^[a-z][a-z0-9_.:-]{0,127}$/

export const EventKinds = { event: 'event', alert: 'alert', signal: 'signal', state: 'state' } as const
export type EventKind = (typeof EventKinds)[keyof typeof EventKinds]

export const EventOutcomes = { success: 'success', failure: 'failure', unknown: 'unknown' } as const
export type EventOutcome = (typeof EventOutcomes)[keyof typeof EventOutcomes]

/** ECS `event.category` values. */
export const eventCategories = [
  'api', 'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam', 'intrusion_detection',
  'library', 'malware', 'network', 'package', 'process', 'registry', 'session', 'threat', 'vulnerability', 'web',
] as const
export type EventCategory = (typeof eventCategories)[number]

/** ECS `event.type` values. */
export const eventTypes = [
  'access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'end', 'error', 'group', 'indicator',
  'info', 'installation', 'protocol', 'start', 'user',
] as const
export type EventType = (typeof eventTypes)[number]

/** Severity levels, lowest first; stored as their index. OWASP's INFO, WARN and CRITICAL map to info, medium and high. */
export const severityLevels = ['info', 'low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof severityLevels)[number]

export function severityRank(severity: Severity): number {
  return severityLevels.indexOf(severity)
}

/** Where an event came from: `event.dataset`. */
export const SecurityDatasets = {
  app: 'app',
  csp: 'csp',
  reporting: 'reporting',
  sentrySecurity: 'sentry_security',
  generic: 'generic',
  faultline: 'faultline',
} as const
export type SecurityDataset = (typeof SecurityDatasets)[keyof typeof SecurityDatasets]

export interface ActionDefaults {
  kind: EventKind
  category: EventCategory[]
  type: EventType[]
  outcome: EventOutcome
  severity: Severity
}

const high = new Set<string>(['authn_impossible_travel', 'authz_fail', 'authn_token_reuse', 'session_use_after_expire'])
const medium = new Set<string>(['authn_login_fail', 'authn_login_fail_max', 'authn_login_lock', 'authz_admin', 'excess_rate_limit_exceeded', 'input_validation_fail', 'sys_crash', 'sys_monitor_disabled', 'upload_validation', 'sequence_fail'])

const byPrefix: [string, Pick<ActionDefaults, 'category'> & { type: (action: string) => EventType[] }][] = [
  ['authn_', { category: ['authentication'], type: (a) => (a.includes('token') ? (a.endsWith('created') ? ['creation'] : a.endsWith('revoked') || a.endsWith('delete') ? ['deletion'] : ['info']) : a.includes('password') ? ['change'] : a.includes('lock') ? ['info'] : ['start']) }],
  ['authz_', { category: ['iam'], type: (a) => (a.includes('fail') ? ['denied'] : a.includes('admin') ? ['admin'] : ['change']) }],
  ['privilege_', { category: ['iam'], type: () => ['change'] }],
  ['user_', { category: ['iam'], type: (a) => ['user', verbType(a)] }],
  ['session_', { category: ['session'], type: (a) => (a.endsWith('created') ? ['start'] : a.endsWith('expired') || a.endsWith('revoked_all') ? ['end'] : a.includes('use_after') ? ['denied'] : ['change']) }],
  ['excess_', { category: ['web', 'network'], type: () => ['denied'] }],
  ['input_', { category: ['intrusion_detection', 'web'], type: () => ['denied'] }],
  ['malicious_', { category: ['intrusion_detection', 'web'], type: () => ['indicator'] }],
  ['sequence_', { category: ['intrusion_detection', 'web'], type: () => ['denied'] }],
  ['sensitive_', { category: ['database'], type: (a) => [verbType(a)] }],
  ['sys_', { category: ['host'], type: (a) => (a.endsWith('startup') ? ['start'] : a.endsWith('shutdown') || a.endsWith('crash') ? ['end'] : ['change']) }],
  ['upload_', { category: ['file'], type: (a) => [a.endsWith('delete') ? 'deletion' : a.endsWith('validation') ? 'denied' : 'creation'] }],
]

const browserReports = new Set<string>(['csp_violation', 'coep_violation', 'coop_violation', 'permissions_policy_violation', 'integrity_violation', 'hpkp_failure', 'expect_ct_failure', 'expect_staple_failure'])

function verbType(action: string): EventType {
  if (/(created|create)$/.test(action)) return 'creation'
  if (/(deleted|delete|archived)$/.test(action)) return 'deletion'
  if (/read$/.test(action)) return 'access'
  return 'change'
}

function defaultOutcome(action: string): EventOutcome {
  if (/(fail|lock|denied|exceeded|violation|failure|reuse|expired|use_after_expire|impossible_travel|malicious|crash)/.test(action)) return 'failure'
  if (/(success|created|renewed|complete|stored|changed|change|updated|startup)/.test(action)) return 'success'
  return 'unknown'
}

/** ECS fields a known action implies; unknown actions get neutral ones. */
export function actionDefaults(action: string): ActionDefaults {
  const base = action.split(':', 1)[0]!
  const severity: Severity = high.has(base) || base.startsWith('malicious_') ? 'high' : medium.has(base) ? 'medium' : 'info'
  const kind: EventKind = base === 'authn_impossible_travel' ? 'alert' : 'event'
  if (browserReports.has(base)) return { kind, category: ['web'], type: ['denied'], outcome: 'failure', severity: 'medium' }
  const match = byPrefix.find(([prefix]) => base.startsWith(prefix))
  return { kind, category: match ? [...match[1].category] : [], type: match ? match[1].type(base) : ['info'], outcome: defaultOutcome(base), severity }
}
