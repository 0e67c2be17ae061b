import { startServer } from '../server'
import type { Command } from './command'

export const runCommand: Command = {
  usage: 'run                    start Faultline (roles from ROLE, default all)',
  async run(_args, config) {
    const server = await startServer(config())
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
    })
    server.platform.logger.info('shutting down')
    await server.close()
    return 0
  },
}
