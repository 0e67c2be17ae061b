export { SecurityConsumer, securityConsumerGroup, type SecurityConsumerOptions } from './security-consumer'
export { GeoLocator, defaultGeoDatabasePath, type GeoFields } from './geo'
export { SecurityEventWriter, type StoredSecurityEvent } from './security-writer'
export { fromStoredIp, toStoredIp, toSecurityEventRow } from './security-rows'
