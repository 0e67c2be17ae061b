import type { Logger } from '../../log'
import { declaredGroups, type Bus, type BusOptions } from '../../ports/bus'
import { openJetStreamBus } from './jetstream-bus'
import { openSqliteBus } from './sqlite-bus'

export interface CreateBusConfig extends BusOptions {
  /** NATS server(s); when set the bus is JetStream, otherwise the embedded SQLite queue. */
  natsUrl?: string
  /** The embedded queue's file, used when `natsUrl` is not set. */
  sqlitePath: string
}

/** A URL given means the server, none means the embedded default. Opens Faultline's declared groups. */
export async function createBus(config: CreateBusConfig, logger?: Logger): Promise<Bus> {
  const { ackWaitMs, dedupeWindowMs } = config
  const groups = config.groups ?? declaredGroups
  if (config.natsUrl) {
    const bus = await openJetStreamBus({ url: config.natsUrl, ackWaitMs, dedupeWindowMs, groups, logger })
    logger?.info('bus ready', { kind: bus.kind })
    return bus
  }
  const bus = await openSqliteBus({ path: config.sqlitePath, ackWaitMs, dedupeWindowMs, groups, logger })
  logger?.info('bus ready', { kind: bus.kind, path: config.sqlitePath })
  return bus
}
