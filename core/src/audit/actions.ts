/**
 * Audit action names, from the OWASP Logging Vocabulary (authn_*, authz_*, session_*, user_*,
 * privilege_*, sensitive_*, excess_*, sys_*), so the security timeline can take audit records as
 * security events as they are. Where OWASP has no word (MFA, elevation, keys), the name keeps its
 * prefix and style.
 */
export const AuditActions = {
  loginSuccess: 'authn_login_success',
  loginSuccessAfterFail: 'authn_login_successafterfail',
  loginFail: 'authn_login_fail',
  loginLock: 'authn_login_lock',
  passwordChange: 'authn_password_change',
  passwordChangeFail: 'authn_password_change_fail',
  tokenCreated: 'authn_token_created',
  tokenRevoked: 'authn_token_revoked',
  tokenReuse: 'authn_token_reuse',
  tokenExpiredUse: 'authn_token_expired',
  mfaEnabled: 'authn_mfa_enabled',
  mfaDisabled: 'authn_mfa_disabled',
  mfaFail: 'authn_mfa_fail',
  mfaRecoveryUsed: 'authn_mfa_recovery_used',
  ssoLogin: 'authn_sso_login',
  authzFail: 'authz_fail',
  authzChange: 'authz_change',
  authzAdmin: 'authz_admin',
  elevationRequested: 'authz_elevation_requested',
  elevationApproved: 'authz_elevation_approved',
  elevationDenied: 'authz_elevation_denied',
  privilegeChanged: 'privilege_permissions_changed',
  sessionCreated: 'session_created',
  sessionRenewed: 'session_renewed',
  sessionExpired: 'session_expired',
  sessionUseAfterExpire: 'session_use_after_expire',
  sessionRevokedAll: 'session_revoked_all',
  userCreated: 'user_created',
  userUpdated: 'user_updated',
  userDeleted: 'user_deleted',
  invitationSent: 'user_invited',
  keyCreated: 'sensitive_key_created',
  keyRotated: 'sensitive_key_rotated',
  keyRevoked: 'sensitive_key_revoked',
  sensitiveCreate: 'sensitive_create',
  sensitiveUpdate: 'sensitive_update',
  sensitiveDelete: 'sensitive_delete',
  sensitiveRead: 'sensitive_read',
  rateLimitExceeded: 'excess_rate_limit_exceeded',
  settingChanged: 'sys_setting_changed',
  setupCompleted: 'sys_setup_completed',
} as const
export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions]

export const auditActionNames = Object.values(AuditActions) as [AuditAction, ...AuditAction[]]
