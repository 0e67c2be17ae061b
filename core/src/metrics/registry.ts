/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format for `/metrics`.
 */

type Labels = Record<string, string>

interface Series {
  labels: Labels
  value: number
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',')
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract render(): string[]
}

export class Counter extends Metric {
  readonly #series = new Map<string, Series>()
  constructor(name: string, help: string) {
    super(name, help, 'counter')
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels)
    const series = this.#series.get(key)
    if (series) series.value += by
    else this.#series.set(key, { labels, value: by })
  }
  get(labels: Labels = {}): number {
    return this.#series.get(labelKey(labels))?.value ?? 0
  }
  render(): string[] {
    return [...this.#series.values()].map((s) => `${this.name}${renderLabels(s.labels)} ${s.value}`)
  }
}

export class Gauge extends Metric {
  readonly #collect: () => Promise<number> | number
  #last = 0
  constructor(name: string, help: string, collect: () => Promise<number> | number) {
    super(name, help, 'gauge')
    this.#collect = collect
  }
  async refresh(): Promise<void> {
    this.#last = await this.#collect()
  }
  render(): string[] {
    return [`${this.name} ${this.#last}`]
  }
}

export class Histogram extends Metric {
  readonly #buckets: number[]
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>()
  constructor(name: string, help: string, buckets: number[]) {
    super(name, help, 'histogram')
    this.#buckets = [...buckets].sort((a, b) => a - b)
  }
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels)
    let series = this.#series.get(key)
    if (!series) {
      series = { labels, counts: this.#buckets.map(() => 0), sum: 0, count: 0 }
      this.#series.set(key, series)
    }
    for (let i = 0; i < this.#buckets.length; i++) if (value <= this.#buckets[i]!) series.counts[i]!++
    series.sum += value
    series.count++
  }
  render(): string[] {
    const lines: string[] = []
    for (const s of this.#series.values()) {
      this.#buckets.forEach((le, i) => lines.push(`${this.name}_bucket${renderLabels({ ...s.labels, le: String(le) })} ${s.counts[i]}`))
      lines.push(`${this.name}_bucket${renderLabels({ ...s.labels, le: '+Inf' })} ${s.count}`)
      lines.push(`${this.name}_sum${renderLabels(s.labels)} ${s.sum}`)
      lines.push(`${this.name}_count${renderLabels(s.labels)} ${s.count}`)
    }
    return lines
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>()
  readonly #external: (() => Promise<string>)[] = []

  /** Adds exposition text rendered elsewhere (a worker thread's registry) to this one's. */
  addExternal(render: () => Promise<string>): void {
    this.#external.push(render)
  }

  counter(name: string, help: string): Counter {
    return this.#register(new Counter(name, help))
  }
  gauge(name: string, help: string, collect: () => Promise<number> | number): Gauge {
    return this.#register(new Gauge(name, help, collect))
  }
  histogram(name: string, help: string, buckets: number[]): Histogram {
    return this.#register(new Histogram(name, help, buckets))
  }

  async render(): Promise<string> {
    const lines: string[] = []
    for (const metric of this.#metrics.values()) {
      if (metric instanceof Gauge) await metric.refresh()
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`, ...metric.render())
    }
    for (const render of this.#external) lines.push((await render()).trimEnd())
    return lines.join('\n') + '\n'
  }

  #register<T extends Metric>(metric: T): T {
    const existing = this.#metrics.get(metric.name)
    if (existing) return existing as T
    this.#metrics.set(metric.name, metric)
    return metric
  }
}
