import os from 'node:os'
import type { Event } from '@faultline/sdk-core'

/** Runtime, OS and device facts, computed once: they do not change while the process runs. */
export function createNodeContext(): (event: Event) => Event {
  let contexts: Record<string, Record<string, unknown>> | undefined
  return (event) => {
    contexts ??= {
      runtime: { name: 'node', version: process.version },
      os: { name: os.type(), version: os.release(), kernel_version: os.version?.() },
      device: { arch: os.arch(), processor_count: os.cpus().length, memory_size: os.totalmem() },
      app: { app_start_time: new Date(Date.now() - process.uptime() * 1000).toISOString() },
    }
    return { ...event, contexts: { ...contexts, ...event.contexts } }
  }
}
