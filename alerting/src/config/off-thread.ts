/**
 * Reading a large configuration off the main thread. The YAML parser takes seconds for a
 * configuration of a few megabytes (20 s for 3.5 MB on a loaded two-core machine), and on the main
 * thread every other request of the process, ingest included, would wait that long; any member
 * may ask for a preview. Configurations up to `inlineBytes` are read inline (a few milliseconds);
 * larger ones go to one worker thread, started on first use, in turn. One that takes longer than
 * `deadlineMs` ends the worker (a new one starts for the next) and is answered with a problem.
 */
import { Worker } from 'node:worker_threads'
import type { ConfigLoad, LoadOptions } from './yaml'
import { loadConfigYaml } from './yaml'
import type { YamlReply, YamlRequest } from './yaml-worker'

/** Larger configurations are read by the worker thread. */
export const inlineBytes = 256 * 1024

export interface OffThreadOptions {
  deadlineMs?: number
  /** Size from which a configuration goes to the worker (default `inlineBytes`). */
  inlineBytes?: number
}

export class ConfigReader {
  readonly #deadlineMs: number
  readonly #inlineBytes: number
  #worker: Worker | undefined
  #nextId = 0
  readonly #pending = new Map<number, { resolve: (load: ConfigLoad) => void; reject: (error: Error) => void }>()
  /** Requests run one after another, so a deadline times one configuration, not a queue. */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(options: OffThreadOptions = {}) {
    this.#deadlineMs = options.deadlineMs ?? 30_000
    this.#inlineBytes = options.inlineBytes ?? inlineBytes
  }

  read(text: string, options: LoadOptions = {}): Promise<ConfigLoad> {
    if (Buffer.byteLength(text) <= this.#inlineBytes) return Promise.resolve(loadConfigYaml(text, options))
    const turn = this.#queue.then(() => this.#inWorker(text, options))
    this.#queue = turn.catch(() => undefined)
    return turn
  }

  /** Ends the worker thread; pending reads fail. */
  async close(): Promise<void> {
    const worker = this.#worker
    this.#worker = undefined
    await worker?.terminate()
  }

  #inWorker(text: string, options: LoadOptions): Promise<ConfigLoad> {
    const worker = this.#started()
    const id = this.#nextId++
    return new Promise<ConfigLoad>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        // The parse cannot be interrupted inside the worker: end the worker, start afresh next time.
        void this.close()
        resolve({ ok: false, problems: [{ line: 1, column: 1, path: '', message: `the configuration took longer than ${this.#deadlineMs / 1000} s to read` }] })
      }, this.#deadlineMs)
      this.#pending.set(id, {
        resolve: (load) => (clearTimeout(timer), resolve(load)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      })
      worker.postMessage({ id, text, options } satisfies YamlRequest)
    })
  }

  #started(): Worker {
    if (this.#worker) return this.#worker
    const worker = new Worker(new URL('./yaml-worker.mjs', import.meta.url))
    worker.unref()
    worker.on('message', (reply: YamlReply) => {
      const waiting = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if ('load' in reply) waiting?.resolve(reply.load)
      else waiting?.reject(new Error(`reading the configuration failed: ${reply.error}`))
    })
    const failAll = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined
      for (const waiting of this.#pending.values()) waiting.reject(error)
      this.#pending.clear()
    }
    worker.on('error', (error) => failAll(new Error('the configuration reader thread failed', { cause: error })))
    worker.on('exit', (code) => failAll(new Error(`the configuration reader thread exited (${code})`)))
    this.#worker = worker
    return worker
  }
}
