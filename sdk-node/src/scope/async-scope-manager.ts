import { AsyncLocalStorage } from 'node:async_hooks'
import { getCurrentScope, getScopeManager, Scope, type ScopeManager } from '@faultline/sdk-core'

/** Scopes that follow the async context, so concurrent requests never see each other's user or tags. */
export function createAsyncScopeManager(root: Scope = new Scope()): ScopeManager & { root: Scope } {
  const storage = new AsyncLocalStorage<Scope>()
  return {
    root,
    getScope: () => storage.getStore() ?? root,
    runWithScope: (scope, fn) => storage.run(scope, fn),
  }
}

/** Runs `fn` (and everything it awaits) with its own copy of the current scope: one per request. */
export function withIsolatedScope<T>(fn: (scope: Scope) => T): T {
  let scope: Scope
  try {
    scope = getCurrentScope().clone()
  } catch {
    scope = new Scope()
  }
  return getScopeManager().runWithScope(scope, () => fn(scope))
}
