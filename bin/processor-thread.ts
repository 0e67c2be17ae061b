/**
 * Runs and supervises the processor worker thread: restarts it (after a pause) when it dies,
 * forwards its metrics into the main registry and readiness, and stops it cleanly.
 */
import { Worker } from 'node:worker_threads'
import { describeError } from '@faultline/core/errors'
import type { Platform } from '@faultline/core/platform'
import type { WorkerReply, WorkerRequest } from './processor-worker'

const restartDelayMs = 1_000
const metricsTimeoutMs = 2_000

export class ProcessorThread {
  readonly #platform: Platform
  #worker: Worker | undefined
  #ready = false
  #stopping = false
  #nextId = 0
  readonly #pendingMetrics = new Map<number, (text: string) => void>()

  constructor(platform: Platform) {
    this.#platform = platform
    platform.metrics.addExternal(() => this.#metrics())
  }

  start(): void {
    const worker = new Worker(new URL('./processor-worker.mjs', import.meta.url), {
      // The parsed configuration is plain data: the worker gets exactly what the main thread has.
      workerData: { config: this.#platform.config },
    })
    this.#worker = worker
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') this.#ready = true
      else if (reply.type === 'metrics') {
        this.#pendingMetrics.get(reply.id)?.(reply.text)
        this.#pendingMetrics.delete(reply.id)
      }
    })
    worker.on('error', (error) => this.#platform.logger.error('processor thread failed', { error: describeError(error) }))
    worker.on('exit', (code) => {
      this.#ready = false
      if (this.#stopping) return
      this.#platform.logger.error('processor thread exited; restarting', { code, inMs: restartDelayMs })
      setTimeout(() => this.#stopping || this.start(), restartDelayMs).unref()
    })
  }

  async stop(): Promise<void> {
    this.#stopping = true
    const worker = this.#worker
    if (!worker) return
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    worker.postMessage({ type: 'stop' } satisfies WorkerRequest)
    await exited
  }

  #metrics(): Promise<string> {
    const worker = this.#worker
    if (!worker || !this.#ready) return Promise.resolve('')
    const id = this.#nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pendingMetrics.delete(id)
        resolve('')
      }, metricsTimeoutMs)
      this.#pendingMetrics.set(id, (text) => {
        clearTimeout(timer)
        resolve(text)
      })
      worker.postMessage({ type: 'metrics', id } satisfies WorkerRequest)
    })
  }
}
