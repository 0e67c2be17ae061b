export { parseBrowserReports, type ParsedReports, type ReportContext } from './browser-reports'
export { scrubSecurityEvent } from './scrub-security-event'
export { SecurityIntake, type SecurityIntakeDeps, type SecuritySubmission } from './security-intake'
