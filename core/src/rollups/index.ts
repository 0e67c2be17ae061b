export { denseSeries, floorMinute, issueMinuteCounts, minuteMs, projectDataStarts, projectMinuteCounts, readCountSeries, SeriesKinds } from './rollup-series'
export type { MinuteCount, MinuteRange, SeriesKind } from './rollup-series'
