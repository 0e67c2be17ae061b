/** The worker thread of off-thread.ts: reads the configurations it is sent, one at a time. */
import { parentPort } from 'node:worker_threads'
import { loadConfigYaml, type ConfigLoad, type LoadOptions } from './yaml'

export interface YamlRequest {
  id: number
  text: string
  options: LoadOptions
}

export type YamlReply = { id: number; load: ConfigLoad } | { id: number; error: string }

parentPort!.on('message', ({ id, text, options }: YamlRequest) => {
  try {
    parentPort!.postMessage({ id, load: loadConfigYaml(text, options) } satisfies YamlReply)
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies YamlReply)
  }
})
