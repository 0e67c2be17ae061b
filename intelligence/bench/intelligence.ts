/**
 * Every intelligence figure of issue 13 beside its baseline, in one run: real corpora (Loghub-2k,
 * NAB, Node's own stack traces) beside the generated sets. The public corpora are read from
 * FAULTLINE_EVAL_DATA (default ../shared/eval-data, see eval-data.ts); a figure whose data or
 * scorer is missing says why instead of a number. Throughput is messages per CPU-second on one
 * core (CPU time, so other processes on the machine do not bend it).
 * Usage: npm run bench -- intelligence
 */
import { evaluateDetections, generateAnomalySet, rollingZScores, scoreSeries, scoreWindows, SeriesDetector, alarmMergeGap } from '../src/anomaly'
import { holtWintersForecast } from '../src/forecast'
import { TemplateMiner, AdversarialKinds, adversarialMessages, digitMaskBaseline, generateTemplateCorpus, groupingAccuracy, type AdversarialKind } from '../src/templates'
import { generateIssueSet, hashSignature, loadSignatureEmbedder, precisionAtK, signatureDimensions, signatureFeatures, type ErrorSignature } from '../src/similarity'
import { createPrng } from '../src/shared/prng'
import { evaluateLoghub, drainPublished } from './loghub'
import { loadNab, nabProfiles, nabReferenceScores, nabScorerAvailable, scoreWithNab, type NabScores } from './nab'
import { nodeTraceIssues } from './node-traces'

const rows: Array<[string, string, string, string, string]> = []
const row = (area: string, metric: string, value: string, baseline = '', data = ''): void => {
  rows.push([area, metric, value, baseline, data])
}
const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

// Templates on Loghub-2k: one miner per system, default configuration, no per-system masks.
{
  const loghub = evaluateLoghub()
  if (!loghub.ok) row('templates', 'Loghub-2k grouping accuracy', `absent: ${loghub.reason}`)
  else {
    for (const s of loghub.systems) row('templates', `Loghub-2k GA ${s.system} (${s.truthGroups} events → ${s.templates} templates)`, fmt(s.accuracy), `${fmt(drainPublished[s.system as keyof typeof drainPublished])} Drain`, 'loghub-2k (real)')
    const drainMean = Object.values(drainPublished).reduce((a, b) => a + b, 0) / loghub.systems.length
    row('templates', 'Loghub-2k GA mean of 8 (target ≥ 0.97, none < 0.90)', fmt(loghub.mean), `${fmt(drainMean)} Drain`, 'loghub-2k (real)')
    row('templates', 'Loghub-2k lowest system', fmt(Math.min(...loghub.systems.map((s) => s.accuracy))), fmt(Math.min(...Object.values(drainPublished))), 'loghub-2k (real)')
  }
  const corpus = generateTemplateCorpus(20240, 50_000)
  const truth = corpus.map((m) => m.truth)
  const miner = new TemplateMiner()
  const ids = corpus.map((m) => miner.add(m.message, 0).templateId)
  miner.settle()
  row('templates', `GA generated (${corpus.length} msgs, ${new Set(truth).size} events)`, fmt(groupingAccuracy(ids.map((id) => miner.resolve(id)), truth)), `${fmt(groupingAccuracy(digitMaskBaseline(corpus.map((m) => m.message)), truth))} digit-mask`, 'generated')

  // Throughput: typical on a warm miner, then each adversarial class on a fresh one.
  const typical = generateTemplateCorpus(20241, 100_000).map((m) => m.message)
  let cpu = process.cpuUsage()
  for (const m of typical) miner.add(m, 0)
  row('templates', 'throughput typical (msgs/CPU-s, 1 core; target ≥ 50,000)', String(Math.round(typical.length / cpuSeconds(cpu))), '', `generated, ${miner.size} patterns`)
  const counts: Record<AdversarialKind, number> = { 'digit-tokens': 40_000, 'unique-words': 40_000, 'long-messages': 2_000, 'distinct-lengths': 10_000, 'regex-bait': 2_000 }
  const mixed: string[] = []
  for (const kind of Object.values(AdversarialKinds)) {
    const messages = adversarialMessages(kind, counts[kind], 11)
    const fresh = new TemplateMiner()
    cpu = process.cpuUsage()
    for (const m of messages) fresh.add(m, 0)
    const seconds = cpuSeconds(cpu)
    const bytes = messages.reduce((n, m) => n + m.length, 0)
    row('templates', `  adversarial ${kind} (msgs/CPU-s; MB/s)`, `${Math.round(messages.length / seconds)}; ${fmt(bytes / seconds / 1e6, 1)}`, '', `${messages.length} msgs → ${fresh.size} patterns`)
    if (kind !== 'long-messages' && kind !== 'regex-bait') mixed.push(...messages.slice(0, 10_000))
  }
  const mixedMiner = new TemplateMiner()
  const shuffled = createPrng(12).shuffle(mixed)
  cpu = process.cpuUsage()
  for (const m of shuffled) mixedMiner.add(m, 0)
  row('templates', 'throughput adversarial mix (msgs/CPU-s; target ≥ 20,000)', String(Math.round(shuffled.length / cpuSeconds(cpu))), '', `digit tokens, unique words, 1–5,000 lengths → ${mixedMiner.size} patterns`)
}

// Anomalies on NAB with its official scorer (development split: even files of each category).
{
  const nab = loadNab()
  const scorer = nabScorerAvailable()
  if (!nab.ok) row('anomaly', 'NAB scores', `absent: ${nab.reason}`)
  else if (!scorer.ok) row('anomaly', 'NAB scores', `absent: ${scorer.reason}`)
  else {
    const { root, series } = nab.value
    const scores = new Map<string, Float64Array>()
    let points = 0
    const cpu = process.cpuUsage()
    for (const s of series) {
      const detector = new SeriesDetector()
      scores.set(s.key, Float64Array.from(s.times, (t, i) => detector.push(t, s.values[i]!).score))
      points += s.times.length
    }
    const perPoint = (cpuSeconds(cpu) / points) * 1e6
    const byCategory = new Map<string, string[]>()
    for (const s of series) byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s.key])
    const development = new Set([...byCategory.values()].flatMap((keys) => keys.filter((_, i) => i % 2 === 0)))
    const held = new Set(series.map((s) => s.key).filter((key) => !development.has(key)))
    const references = nabReferenceScores(root)
    const best = Object.entries(references).filter(([name]) => name !== 'null').sort((a, b) => b[1].standard - a[1].standard)
    const reference = (profile: keyof NabScores): string => best.map(([name, r]) => `${fmt(r[profile], 1)} ${name}`).join(', ')
    for (const [label, only] of [['all 35 files', undefined], [`development split (${development.size})`, development], [`held-out split (${held.size})`, held]] as const) {
      const result = scoreWithNab(root, 'faultline', series, scores, only)
      if (!result.ok) {
        row('anomaly', `NAB ${label}`, `absent: ${result.reason}`)
        continue
      }
      for (const profile of nabProfiles) {
        row('anomaly', `NAB ${profile} ${label}${profile === 'standard' && !only ? ' (target ≥ 60, above the best reference)' : ''}`, fmt(result.value[profile], 1), only ? '' : reference(profile), 'nab (real)')
      }
    }
    row('anomaly', 'detector cost (µs per point, streaming)', fmt(perPoint, 2), '', `${points} NAB points`)
  }
  const set = generateAnomalySet(2002)
  const all = [...set.anomalous, ...set.clean]
  const runs = all.map((s) => ({ series: s, alarms: scoreSeries(Array.from(s.times, (t, i) => ({ t, v: s.values[i]! })), 'medium', {}, s.evaluateFrom).windows }))
  const base = all.map((s) => ({ series: s, alarms: scoreWindows(rollingZScores(s.values), 3, alarmMergeGap, s.evaluateFrom) }))
  const model = evaluateDetections(runs.slice(0, set.anomalous.length), runs.slice(set.anomalous.length))
  const zBase = evaluateDetections(base.slice(0, set.anomalous.length), base.slice(set.anomalous.length))
  const label = `generated (${set.anomalous.length} series, ${model.windows} windows; ${set.clean.length} clean; 5 scales)`
  row('anomaly', 'precision, medium sensitivity', fmt(model.precision), `${fmt(zBase.precision)} 3σ z`, label)
  row('anomaly', 'recall', fmt(model.recall), fmt(zBase.recall), label)
  row('anomaly', 'F1', fmt(model.f1), fmt(zBase.f1), label)
  row('anomaly', 'false alarms per series-week, clean series', fmt(model.falseAlarmsPerSeriesWeek, 2), fmt(zBase.falseAlarmsPerSeriesWeek, 2), label)
}

// Similar issues: precision@5 on real Node traces and on the generated set, model vs hashed cosine.
{
  const embedder = await loadSignatureEmbedder()
  const measure = async (signatures: ErrorSignature[], labels: string[]): Promise<[number, number]> => {
    const hashed = new Float32Array(signatures.length * signatureDimensions)
    signatures.forEach((signature, i) => hashSignature(signatureFeatures(signature), hashed, i * signatureDimensions))
    const set = await embedder.embed(signatures.map((signature, id) => ({ id, signature })))
    return [precisionAtK(set.embeddings, set.dim, labels, 5), precisionAtK(hashed, signatureDimensions, labels, 5)]
  }
  const real = nodeTraceIssues()
  const [realModel, realHashed] = await measure(real.map((i) => i.signature), real.map((i) => i.cause))
  row('similarity', `precision@5 real traces (${real.length} issues, ${new Set(real.map((i) => i.cause)).size} causes)`, fmt(realModel), `${fmt(realHashed)} hashed cosine`, "Node's own errors (real)")
  const generated = generateIssueSet(4004, 20)
  const [genModel, genHashed] = await measure(generated.map((i) => i.signature), generated.map((i) => i.cause))
  row('similarity', `precision@5 generated (${generated.length} issues)`, fmt(genModel), `${fmt(genHashed)} hashed cosine`, 'generated')
  const many = Array.from({ length: 10_000 }, (_, id) => ({ id, signature: generated[id % generated.length]!.signature }))
  const started = performance.now()
  await embedder.embed(many)
  row('similarity', 'embedding throughput (signatures/s, hash + ONNX)', String(Math.round(many.length / ((performance.now() - started) / 1000))))
  row('similarity', 'model', embedder.model.version)
  await embedder.model.close()
}

// Forecast: one-day-ahead error on a seasonal series, Holt-Winters vs last-day naive.
{
  const r = createPrng(11)
  const m = 1440
  const values = Array.from({ length: m * 4 }, (_, t) => r.poisson(50 * (1 + 0.5 * Math.sin((2 * Math.PI * t) / m)) + 0.002 * t))
  const history = values.slice(0, m * 3)
  const future = values.slice(m * 3)
  const forecast = holtWintersForecast(history, { seasonLength: m, horizon: m })
  const mae = forecast.points.reduce((s, p, i) => s + Math.abs(p.value - future[i]!), 0) / m
  const naive = future.reduce((s, v, i) => s + Math.abs(v - history[history.length - m + i]!), 0) / m
  const covered = forecast.points.filter((p, i) => future[i]! >= p.lower && future[i]! <= p.upper).length / m
  row('forecast', 'MAE one day ahead (Holt-Winters)', fmt(mae, 2), `${fmt(naive, 2)} same-minute-yesterday`, 'generated')
  row('forecast', '95 % interval coverage', fmt(covered, 3), '', 'generated')
}

const headings = ['area', 'metric', 'value', 'baseline', 'data']
const widths = headings.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()
console.log(line(headings))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of rows) console.log(line(r))
