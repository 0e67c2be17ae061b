import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { unwatchFile, watchFile } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { ModelError } from './errors'
import { readModelMetadata } from './graph-builder'

export interface ModelRun {
  /** Row-major [rows, outputWidth]. */
  output: Float32Array
  outputWidth: number
  /** Version of the model that produced this output (hot reload may change it between calls). */
  version: string
}

export interface OnnxModel {
  readonly name: string
  /** `<metadata version>#<first 8 hex of sha256(bytes)>`: any change to the file changes it. */
  readonly version: string
  readonly inputWidth: number
  readonly path: string | undefined
  /** The model's metadata properties (training threshold, feature names …). */
  readonly metadata: Readonly<Record<string, string>>
  /** Runs a batch; `input` is row-major [rows, inputWidth]. */
  run(input: Float32Array, rows: number): Promise<ModelRun>
  /** Re-reads the file; swaps sessions only when the bytes changed. Resolves true on a swap. */
  reload(): Promise<boolean>
  /** Polls the file and reloads on change; returns the function that stops watching. */
  watch(options?: { intervalMs?: number; onReload?: (version: string) => void; onError?: (error: ModelError) => void }): () => void
  close(): Promise<void>
}

interface Loaded {
  session: ort.InferenceSession
  version: string
  name: string
  inputName: string
  outputName: string
  inputWidth: number
  metadata: Record<string, string>
  inFlight: number
  retired: boolean
}

// One intra-op thread: the processor runs many small batches and shares the machine.
const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' }

async function open(bytes: Uint8Array, origin: string): Promise<Loaded> {
  let metadata: Record<string, string>
  let session: ort.InferenceSession
  try {
    metadata = readModelMetadata(bytes)
    session = await ort.InferenceSession.create(bytes, sessionOptions)
  } catch (error) {
    throw new ModelError('load_failed', `cannot load ONNX model from ${origin}`, { cause: error })
  }
  const inputName = session.inputNames[0]
  const outputName = session.outputNames[0]
  const inputMeta = session.inputMetadata?.[0]
  const shape = inputMeta && 'shape' in inputMeta ? inputMeta.shape : undefined
  const width = shape?.[1]
  if (!inputName || !outputName || typeof width !== 'number') {
    await session.release()
    throw new ModelError('load_failed', `model from ${origin} must have one [batch, n] float input and one output`)
  }
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8)
  return {
    session,
    version: `${metadata.version ?? 'unversioned'}#${hash}`,
    name: metadata.name ?? 'model',
    inputName,
    outputName,
    inputWidth: width,
    metadata,
    inFlight: 0,
    retired: false,
  }
}

async function retire(loaded: Loaded): Promise<void> {
  loaded.retired = true
  if (loaded.inFlight === 0) await loaded.session.release()
}

function createModel(initial: Loaded, path: string | undefined, initialBytes: Uint8Array): OnnxModel {
  let current = initial
  let currentHash = createHash('sha256').update(initialBytes).digest('hex')
  let stopWatching: (() => void) | undefined

  const reload = async (): Promise<boolean> => {
    if (!path) return false
    let bytes: Uint8Array
    try {
      bytes = await readFile(path)
    } catch (error) {
      throw new ModelError('load_failed', `cannot read ${path}`, { cause: error })
    }
    const hash = createHash('sha256').update(bytes).digest('hex')
    if (hash === currentHash) return false
    const fresh = await open(bytes, path)
    const previous = current
    current = fresh
    currentHash = hash
    await retire(previous)
    return true
  }

  return {
    get name() { return current.name },
    get version() { return current.version },
    get inputWidth() { return current.inputWidth },
    get metadata() { return current.metadata },
    path,
    async run(input, rows) {
      const loaded = current
      if (rows <= 0) return { output: new Float32Array(0), outputWidth: 0, version: loaded.version }
      if (input.length !== rows * loaded.inputWidth) {
        throw new ModelError('invalid_input', `expected ${rows}×${loaded.inputWidth} values, got ${input.length}`)
      }
      loaded.inFlight++
      try {
        const feeds = { [loaded.inputName]: new ort.Tensor('float32', input, [rows, loaded.inputWidth]) }
        const result = await loaded.session.run(feeds)
        const tensor = result[loaded.outputName]
        if (!tensor || !(tensor.data instanceof Float32Array)) throw new ModelError('run_failed', `model ${loaded.name} gave no float output`)
        return { output: tensor.data, outputWidth: tensor.data.length / rows, version: loaded.version }
      } catch (error) {
        if (error instanceof ModelError) throw error
        throw new ModelError('run_failed', `model ${loaded.name} failed`, { cause: error })
      } finally {
        loaded.inFlight--
        if (loaded.retired && loaded.inFlight === 0) await loaded.session.release()
      }
    },
    reload,
    watch(options = {}) {
      if (!path) return () => undefined
      stopWatching?.()
      const listener = (): void => {
        reload().then(
          (swapped) => { if (swapped) options.onReload?.(current.version) },
          (error: unknown) => options.onError?.(error instanceof ModelError ? error : new ModelError('load_failed', `reload of ${path} failed`, { cause: error })),
        )
      }
      // watchFile polls stat: it survives the rename-into-place that atomic writers use.
      watchFile(path, { interval: options.intervalMs ?? 2000, persistent: false }, listener)
      stopWatching = () => unwatchFile(path, listener)
      return stopWatching
    },
    async close() {
      stopWatching?.()
      await retire(current)
    },
  }
}

/** Loads a model file; `reload()`/`watch()` swap in a new file without a restart. */
export async function loadModel(path: string): Promise<OnnxModel> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new ModelError('load_failed', `cannot read ${path}`, { cause: error })
  }
  return createModel(await open(bytes, path), path, bytes)
}

/** A model from bytes in memory (tests, freshly trained models); `reload()` is a no-op. */
export async function loadModelFromBytes(bytes: Uint8Array): Promise<OnnxModel> {
  return createModel(await open(bytes, 'memory'), undefined, bytes)
}
