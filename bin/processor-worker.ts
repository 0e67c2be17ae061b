/**
 * The processor in a worker thread of a process that also serves ingest: its own event loop, its
 * own platform (the same SQLite files and chDB directory as the main thread). Answers the
 * supervisor's `metrics` and `stop` messages.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Config } from '@faultline/core/config'
import { describeError } from '@faultline/core/errors'
import { openPlatform } from '@faultline/core/platform'
import { createProcessorTier } from '@faultline/processor'

export type WorkerRequest = { type: 'metrics'; id: number } | { type: 'stop' }
export type WorkerReply = { type: 'ready' } | { type: 'metrics'; id: number; text: string } | { type: 'stopped' }

const port = parentPort!
const config: Config = { ...(workerData as { config: Config }).config, roles: ['processor'] }
const platform = await openPlatform(config)
const tier = createProcessorTier(platform)
tier.start()

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'metrics') {
    platform.metrics.render().then(
      (text) => port.postMessage({ type: 'metrics', id: request.id, text } satisfies WorkerReply),
      (error: unknown) => platform.logger.error('rendering worker metrics failed', { error: describeError(error) }),
    )
  } else if (request.type === 'stop') {
    void (async () => {
      await tier.stop()
      await platform.close()
      port.postMessage({ type: 'stopped' } satisfies WorkerReply)
      port.close()
    })()
  }
})
port.postMessage({ type: 'ready' } satisfies WorkerReply)
