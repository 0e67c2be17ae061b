export { recordSecurityEvent, type SecurityEventInput } from './record'
export { detectInjection, inspectUrl, AttackKinds, type AttackKind, type InjectionFinding } from './injection'
export { createSecurityMonitor, securityHono, securityExpress, securityHandler, type SecurityMonitor, type SecurityMonitorOptions, type RequestFacts } from './monitor'
