import { AsyncLocalStorage } from 'node:async_hooks'
import { getCurrentScope, getScopeManager, logger, Scope, type ScopeManager } from '@faultline/sdk-core'

/** Scopes that follow the async context, so concurrent requests never see each other's user or tags. */
export function createAsyncScopeManager(root: Scope = new Scope()): ScopeManager & { root: Scope } {
  const storage = new AsyncLocalStorage<Scope>()
  return {
    root,
    getScope: () => storage.getStore() ?? root,
    runWithScope: (scope, fn) => storage.run(scope, fn),
  }
}

/** A copy of the current scope for one request; a fresh scope if copying fails. */
export function forkScope(): Scope {
  try {
    return getCurrentScope().clone()
  } catch (error) {
    logger.warn('could not copy the current scope; using an empty one', error)
    return new Scope()
  }
}

/** Runs `fn` (and everything it awaits) with its own copy of the current scope: one per request. */
export function withIsolatedScope<T>(fn: (scope: Scope) => T): T {
  const scope = forkScope()
  return getScopeManager().runWithScope(scope, () => fn(scope))
}
