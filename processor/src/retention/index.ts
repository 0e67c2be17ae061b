export { DEAD_LETTER_RETENTION_DAYS, RetentionJob, type RetentionJobOptions, type RetentionReport } from './retention-job'
