/** Flags this close (minutes) are one incident, as an alert would group them. */
export const alarmMergeGap = 15

export interface AnomalyWindow {
  /** Inclusive start, inclusive end (point indexes). */
  start: number
  end: number
  peakIndex: number
  peakScore: number
}

/** Groups flagged points into windows; flags closer than `mergeGap` points join one window. */
export function flaggedWindows(flags: ArrayLike<boolean | number>, scores?: ArrayLike<number>, mergeGap = alarmMergeGap, from = 0): AnomalyWindow[] {
  const windows: AnomalyWindow[] = []
  let current: AnomalyWindow | undefined
  for (let i = from; i < flags.length; i++) {
    if (!flags[i]) continue
    const score = scores ? scores[i]! : 1
    if (current && i - current.end <= mergeGap) {
      current.end = i
      if (score > current.peakScore) {
        current.peakScore = score
        current.peakIndex = i
      }
    } else {
      current = { start: i, end: i, peakIndex: i, peakScore: score }
      windows.push(current)
    }
  }
  return windows
}

/** Windows where the score reaches `threshold`. */
export function scoreWindows(scores: ArrayLike<number>, threshold: number, mergeGap = alarmMergeGap, from = 0): AnomalyWindow[] {
  const flags = new Uint8Array(scores.length)
  for (let i = from; i < scores.length; i++) flags[i] = scores[i]! >= threshold ? 1 : 0
  return flaggedWindows(flags, scores, mergeGap, from)
}
