import { median } from 'simple-statistics'
import type { LabelledSeries } from './evaluation-series'
import type { AnomalyWindow } from './windows'

export interface DetectionReport {
  precision: number
  recall: number
  f1: number
  /** Median points from a window's start to its first alarm, over detected windows. */
  medianDelay: number
  alarms: number
  windows: number
  /** Alarms on the clean series per 7 days of their time. */
  falseAlarmsPerSeriesWeek: number
}

/** Alarms may trail a labelled window by this many points and still count (the tail of a shift). */
const lateTolerance = 10
const weekMs = 7 * 86_400_000

/**
 * Event-level scoring: an alarm is a true positive when it overlaps a labelled window; a window
 * is found when any alarm overlaps it, and its delay is the first overlapping alarm's start.
 */
export function evaluateDetections(anomalous: Array<{ series: LabelledSeries; alarms: AnomalyWindow[] }>, clean: Array<{ series: LabelledSeries; alarms: AnomalyWindow[] }>): DetectionReport {
  let truePositives = 0
  let alarms = 0
  let found = 0
  let windows = 0
  const delays: number[] = []
  for (const { series, alarms: raised } of anomalous) {
    alarms += raised.length
    windows += series.windows.length
    for (const alarm of raised) {
      if (series.windows.some((w) => alarm.start < w.end + lateTolerance && alarm.end >= w.start)) truePositives++
    }
    for (const w of series.windows) {
      const first = raised.find((alarm) => alarm.start < w.end + lateTolerance && alarm.end >= w.start)
      if (first) {
        found++
        delays.push(Math.max(0, first.start - w.start))
      }
    }
  }
  let cleanAlarms = 0
  let cleanMs = 0
  for (const { series, alarms: raised } of clean) {
    cleanAlarms += raised.length
    cleanMs += series.times[series.times.length - 1]! - series.times[series.evaluateFrom]!
  }
  const precision = alarms === 0 ? 0 : truePositives / alarms
  const recall = windows === 0 ? 0 : found / windows
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    medianDelay: delays.length > 0 ? median(delays) : Number.NaN,
    alarms,
    windows,
    falseAlarmsPerSeriesWeek: cleanMs === 0 ? 0 : cleanAlarms / (cleanMs / weekMs),
  }
}
