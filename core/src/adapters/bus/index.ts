export { createBus, type CreateBusConfig } from './create-bus'
export { openJetStreamBus, type JetStreamBusOptions } from './jetstream-bus'
export { openSqliteBus, type SqliteBusOptions } from './sqlite-bus'
