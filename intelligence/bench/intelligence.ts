/**
 * Every intelligence figure of issue 13 beside its baseline, in one run: real corpora (Loghub-2k,
 * NAB, Node's own stack traces) beside the generated sets. The public corpora are read from
 * FAULTLINE_EVAL_DATA (default ../shared/eval-data, see eval-data.ts); a figure whose data or
 * scorer is missing says why instead of a number. Throughput is messages per CPU-second on one
 * core (CPU time, so other processes on the machine do not bend it).
 * Usage: npm run bench -- intelligence
 */
import { evaluateDetections, generateAnomalySet, loadAnomalyCombiner, rollingZScores, scoreSeries, scoreWindows, alarmMergeGap } from '../src/anomaly'
import { holtWintersForecast } from '../src/forecast'
import { TemplateMiner, AdversarialKinds, adversarialMessages, digitMaskBaseline, generateTemplateCorpus, groupingAccuracy, type AdversarialKind } from '../src/templates'
import { SignatureEmbedder, generateIssueSet, hashSignature, loadSignatureEmbedder, precisionAtK, signatureDimensions, signatureFeatures, trainEmbeddingModel, type ErrorSignature } from '../src/similarity'
import { loadModelFromBytes } from '../src/onnx'
import { createPrng } from '../src/shared/prng'
import { evaluateLoghub, drainPublished } from './loghub'
import { fmt, nabRows, printTable, type BenchRow } from './nab-figures'
import { nodeTraceIssues } from './node-traces'

const rows: BenchRow[] = []
const row = (area: string, metric: string, value: string, baseline = '', data = ''): void => {
  rows.push([area, metric, value, baseline, data])
}
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

// Anomalies on NAB with its official scorer (nab-figures.ts), then on the generated set.
{
  rows.push(...(await nabRows()))
  const combiner = await loadAnomalyCombiner()
  const set = generateAnomalySet(2002)
  const all = [...set.anomalous, ...set.clean]
  const runs = await Promise.all(all.map(async (s) => ({ series: s, alarms: (await scoreSeries(Array.from(s.times, (t, i) => ({ t, v: s.values[i]! })), combiner, 'medium', {}, s.evaluateFrom)).windows })))
  const base = all.map((s) => ({ series: s, alarms: scoreWindows(rollingZScores(s.values), 3, alarmMergeGap, s.evaluateFrom) }))
  const model = evaluateDetections(runs.slice(0, set.anomalous.length), runs.slice(set.anomalous.length))
  const zBase = evaluateDetections(base.slice(0, set.anomalous.length), base.slice(set.anomalous.length))
  const label = `generated (${set.anomalous.length} series, ${model.windows} windows; ${set.clean.length} clean; 5 scales)`
  row('anomaly', 'precision, medium sensitivity', fmt(model.precision), `${fmt(zBase.precision)} 3σ z`, label)
  row('anomaly', 'recall', fmt(model.recall), fmt(zBase.recall), label)
  row('anomaly', 'F1', fmt(model.f1), fmt(zBase.f1), label)
  row('anomaly', 'false alarms per series-week, clean series', fmt(model.falseAlarmsPerSeriesWeek, 2), fmt(zBase.falseAlarmsPerSeriesWeek, 2), label)
}

// Similar issues: precision@5 on real Node traces and on the generated set: the shipped model (the
// learned projection or hashed cosine, whichever won on the development causes: models/manifest.json),
// the learned projection, and hashed cosine.
{
  const embedder = await loadSignatureEmbedder()
  const learnedEmbedder = new SignatureEmbedder(await loadModelFromBytes(trainEmbeddingModel().bytes))
  const measure = async (signatures: ErrorSignature[], labels: string[]): Promise<[number, number, number]> => {
    const hashed = new Float32Array(signatures.length * signatureDimensions)
    signatures.forEach((signature, i) => hashSignature(signatureFeatures(signature), hashed, i * signatureDimensions))
    const items = signatures.map((signature, id) => ({ id, signature }))
    const shipped = await embedder.embed(items)
    const learned = await learnedEmbedder.embed(items)
    return [precisionAtK(shipped.embeddings, shipped.dim, labels, 5), precisionAtK(learned.embeddings, learned.dim, labels, 5), precisionAtK(hashed, signatureDimensions, labels, 5)]
  }
  const versus = (learned: number, hashed: number): string => `${fmt(learned)} learned, ${fmt(hashed)} hashed cosine`
  const real = nodeTraceIssues()
  const [realModel, realLearned, realHashed] = await measure(real.map((i) => i.signature), real.map((i) => i.cause))
  row('similarity', `precision@5 real traces, shipped model (${real.length} issues, ${new Set(real.map((i) => i.cause)).size} causes)`, fmt(realModel), versus(realLearned, realHashed), "Node's own errors (real)")
  // The shipped model and the embedding's size were chosen on the even-indexed causes (sorted); the odd ones judge them.
  const causes = [...new Set(real.map((i) => i.cause))].sort()
  for (const [label, parity] of [['held-out causes (odd, not tuned on)', 1], ['development causes (even, tuned on)', 0]] as const) {
    const half = real.filter((i) => causes.indexOf(i.cause) % 2 === parity)
    const [model, learned, hashed] = await measure(half.map((i) => i.signature), half.map((i) => i.cause))
    row('similarity', `  precision@5 real, ${label} (${half.length} issues)`, fmt(model), versus(learned, hashed), "Node's own errors (real)")
  }
  const generated = generateIssueSet(4004, 20)
  const [genModel, genLearned, genHashed] = await measure(generated.map((i) => i.signature), generated.map((i) => i.cause))
  row('similarity', `precision@5 generated, shipped model (${generated.length} issues)`, fmt(genModel), versus(genLearned, genHashed), 'generated')
  const many = Array.from({ length: 10_000 }, (_, id) => ({ id, signature: generated[id % generated.length]!.signature }))
  const started = performance.now()
  await embedder.embed(many)
  row('similarity', 'embedding throughput (signatures/s, hash + ONNX)', String(Math.round(many.length / ((performance.now() - started) / 1000))))
  row('similarity', 'shipped model', embedder.model.version)
  await embedder.model.close()
  await learnedEmbedder.model.close()
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

printTable(rows)
