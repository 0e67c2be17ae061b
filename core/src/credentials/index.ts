export { announceCredentialChange, CredentialCache, CredentialKinds, type CredentialCacheOptions, type CredentialKind } from './credential-cache'
