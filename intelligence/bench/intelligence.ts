/**
 * Every intelligence figure of issue 4 against its baseline, in one run (≈1 min on 2 cores).
 * Usage: npm run bench:intelligence -w @faultline/processor
 */
import { evaluateDetections, generateAnomalySet, loadAnomalyScorer, rollingZScores, scoreWindows } from '../src/anomaly'
import { alarmMergeGap } from '../src/anomaly/windows'
import { holtWintersForecast } from '../src/forecast'
import { TemplateMiner, digitMaskBaseline, generateTemplateCorpus, groupingAccuracy, templateGeneratorCount } from '../src/templates'
import { generateIssueSet, hashSignature, loadSignatureEmbedder, precisionAtK, signatureDimensions, signatureFeatures } from '../src/similarity'
import { createPrng } from '../src/shared/prng'

const rows: Array<[string, string, string, string]> = []
const row = (area: string, metric: string, value: string, baseline = ''): void => {
  rows.push([area, metric, value, baseline])
}
const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

// Templates: accuracy on a fixed-seed corpus, then throughput on a warm miner.
{
  const corpus = generateTemplateCorpus(20240, 50_000)
  const truth = corpus.map((m) => m.truth)
  const miner = new TemplateMiner()
  const started = performance.now()
  const ids = corpus.map((m) => miner.add(m.message, 0).templateId)
  const seconds = (performance.now() - started) / 1000
  const accuracy = groupingAccuracy(ids.map((id) => miner.resolve(id)), truth)
  const baseline = groupingAccuracy(digitMaskBaseline(corpus.map((m) => m.message)), truth)
  const again = generateTemplateCorpus(20241, 100_000)
  const warmStart = performance.now()
  for (const m of again) miner.add(m.message, 0)
  const warmRate = again.length / ((performance.now() - warmStart) / 1000)
  row('templates', `grouping accuracy (${corpus.length} msgs, ${templateGeneratorCount} true templates)`, fmt(accuracy), `${fmt(baseline)} digit-mask`)
  row('templates', 'templates found', String(miner.size), String(new Set(digitMaskBaseline(corpus.map((m) => m.message))).size))
  row('templates', 'throughput, cold miner (msgs/s, 1 core)', String(Math.round(corpus.length / seconds)))
  row('templates', 'throughput, warm miner incl. variables (msgs/s)', String(Math.round(warmRate)))
}

// Anomalies: held-out set (seed differs from training), ONNX scorer vs rolling 3-sigma.
{
  const scorer = await loadAnomalyScorer()
  const set = generateAnomalySet(2002)
  const all = [...set.anomalous, ...set.clean]
  const scored: Awaited<ReturnType<typeof scorer.scoreSeries>>[] = []
  for (const series of all) scored.push(await scorer.scoreSeries(series.values, 'medium', series.evaluateFrom))
  const modelRuns = all.map((series, i) => ({ series, alarms: scored[i]!.windows }))
  const model = evaluateDetections(modelRuns.slice(0, set.anomalous.length), modelRuns.slice(set.anomalous.length))
  const baseRuns = all.map((series) => ({ series, alarms: scoreWindows(rollingZScores(series.values), 3, alarmMergeGap, series.evaluateFrom) }))
  const base = evaluateDetections(baseRuns.slice(0, set.anomalous.length), baseRuns.slice(set.anomalous.length))
  const label = `(${set.anomalous.length} series, ${model.windows} windows; ${set.clean.length} clean)`
  row('anomaly', `precision ${label}`, fmt(model.precision), `${fmt(base.precision)} 3σ z`)
  row('anomaly', 'recall', fmt(model.recall), fmt(base.recall))
  row('anomaly', 'F1', fmt(model.f1), fmt(base.f1))
  row('anomaly', 'median detection delay (min)', fmt(model.medianDelay, 1), fmt(base.medianDelay, 1))
  row('anomaly', 'false alarms per series-week, clean series', fmt(model.falseAlarmsPerSeriesWeek, 2), fmt(base.falseAlarmsPerSeriesWeek, 2))
  row('anomaly', 'model', scorer.modelVersion)

  // Cost: the once-a-minute job over 10k issue series (1 day of history each).
  const r = createPrng(5)
  const series = Array.from({ length: 10_000 }, () => Float64Array.from({ length: 1500 }, () => r.poisson(3)))
  await scorer.scoreLatest(series.slice(0, 100))
  const cpu = process.cpuUsage()
  const started = performance.now()
  await scorer.scoreLatest(series)
  row('cost', 'score 10k issue series once (CPU s / wall s)', `${fmt(cpuSeconds(cpu), 2)} / ${fmt((performance.now() - started) / 1000, 2)}`)
  await scorer.model.close()
}

// Similar issues: precision@5 on a held-out issue set, model vs hashed cosine; throughput.
{
  const issues = generateIssueSet(4004, 20)
  const labels = issues.map((issue) => issue.cause)
  const hashed = new Float32Array(issues.length * signatureDimensions)
  issues.forEach((issue, i) => hashSignature(signatureFeatures(issue.signature), hashed, i * signatureDimensions))
  const embedder = await loadSignatureEmbedder()
  const set = await embedder.embed(issues.map((issue, id) => ({ id, signature: issue.signature })))
  row('similarity', `precision@5 (${issues.length} issues, ${new Set(labels).size} causes)`, fmt(precisionAtK(set.embeddings, set.dim, labels, 5)), `${fmt(precisionAtK(hashed, signatureDimensions, labels, 5))} hashed cosine`)
  const many = Array.from({ length: 10_000 }, (_, id) => ({ id, signature: issues[id % issues.length]!.signature }))
  const started = performance.now()
  await embedder.embed(many)
  row('similarity', 'embedding throughput (signatures/s, hash + ONNX)', String(Math.round(many.length / ((performance.now() - started) / 1000))))
  await embedder.model.close()
}

// Forecast: one-day-ahead error on a seasonal series, Holt-Winters vs last-day naive.
{
  const r = createPrng(11)
  const m = 1440
  const values = Array.from({ length: m * 4 }, (_, t) => r.poisson(50 * (1 + 0.5 * Math.sin((2 * Math.PI * t) / m)) + 0.002 * t))
  const history = values.slice(0, m * 3)
  const future = values.slice(m * 3)
  const started = performance.now()
  const forecast = holtWintersForecast(history, { seasonLength: m, horizon: m })
  const seconds = (performance.now() - started) / 1000
  const mae = forecast.points.reduce((s, p, i) => s + Math.abs(p.value - future[i]!), 0) / m
  const naive = future.reduce((s, v, i) => s + Math.abs(v - history[history.length - m + i]!), 0) / m
  const covered = forecast.points.filter((p, i) => future[i]! >= p.lower && future[i]! <= p.upper).length / m
  row('forecast', 'MAE one day ahead (Holt-Winters)', fmt(mae, 2), `${fmt(naive, 2)} same-minute-yesterday`)
  row('forecast', '95 % interval coverage', fmt(covered, 3))
  row('forecast', 'fit + forecast time (s, 4320 points)', fmt(seconds, 2))
}

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['area', 'metric', 'value', 'baseline'][c]!.length))
const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')
console.log(line(['area', 'metric', 'value', 'baseline']))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of rows) console.log(line(r))
