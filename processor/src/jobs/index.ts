export { AnomalyJob } from './anomaly-job'
export type { AnomalyJobOptions, AnomalyRunReport } from './anomaly-job'
export { LeasedSchedule } from './leased-schedule'
export type { LeasedScheduleOptions } from './leased-schedule'
