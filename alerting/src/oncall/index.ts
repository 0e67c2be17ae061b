export * from './escalation'
export * from './schedules'
