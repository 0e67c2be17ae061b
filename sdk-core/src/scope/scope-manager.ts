import { Scope } from './scope'

/**
 * Where the current scope lives. The browser keeps a synchronous stack; Node swaps this for an
 * AsyncLocalStorage-backed manager so every request gets its own scope across awaits.
 */
export interface ScopeManager {
  getScope(): Scope
  /** Runs `fn` with `scope` as the current scope. */
  runWithScope<T>(scope: Scope, fn: () => T): T
}

export function createStackScopeManager(root: Scope = new Scope()): ScopeManager {
  const stack: Scope[] = [root]
  return {
    getScope: () => stack[stack.length - 1]!,
    runWithScope(scope, fn) {
      stack.push(scope)
      try {
        const result = fn()
        return result
      } finally {
        stack.pop()
      }
    },
  }
}
