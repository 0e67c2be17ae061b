/**
 * Grouping accuracy as in the LogPAI benchmarks: a message is correct when the set of messages
 * sharing its predicted group equals the set sharing its true group.
 */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length) throw new RangeError('predicted and truth differ in length')
  if (predicted.length === 0) return 1
  const predictedSize = new Map<string, number>()
  const truthSize = new Map<string, number>()
  const pairSize = new Map<string, number>()
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!
    const t = truth[i]!
    predictedSize.set(p, (predictedSize.get(p) ?? 0) + 1)
    truthSize.set(t, (truthSize.get(t) ?? 0) + 1)
    const pair = `${p}\u0000${t}`
    pairSize.set(pair, (pairSize.get(pair) ?? 0) + 1)
  }
  let correct = 0
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!
    const t = truth[i]!
    const both = pairSize.get(`${p}\u0000${t}`)!
    if (both === predictedSize.get(p) && both === truthSize.get(t)) correct++
  }
  return correct / predicted.length
}

/** The naive baseline: mask digit runs only and group identical strings. */
export function digitMaskBaseline(messages: readonly string[]): string[] {
  return messages.map((message) => message.replace(/\d+/g, '0'))
}
