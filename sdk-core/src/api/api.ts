import type { Client } from '../client'
import { createStackScopeManager, Scope, type ScopeManager } from '../scope'
import type { Breadcrumb, BreadcrumbHint, Event, EventHint, SeverityLevel, User } from '../types'
import { logger } from '../utils'

/**
 * The module-level API both SDKs re-export. Each function catches everything: instrumentation
 * calls sit in the host's hot paths and must never be the reason a request fails.
 */
let currentClient: Client | undefined
let scopeManager: ScopeManager = createStackScopeManager()

function guard<T>(name: string, fallback: T, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    logger.warn(`${name} failed`, error)
    return fallback
  }
}

export function setCurrentClient(client: Client | undefined): void {
  currentClient = client
}

export function getClient(): Client | undefined {
  return currentClient
}

export function setScopeManager(manager: ScopeManager): void {
  scopeManager = manager
}

export function getScopeManager(): ScopeManager {
  return scopeManager
}

export function getCurrentScope(): Scope {
  return guard('getCurrentScope', new Scope(), () => scopeManager.getScope())
}

export function captureException(exception: unknown, hint?: EventHint): string | undefined {
  return guard('captureException', undefined, () => currentClient?.captureException(exception, hint, scopeManager.getScope()))
}

export function captureMessage(message: string, level?: SeverityLevel, hint?: EventHint): string | undefined {
  return guard('captureMessage', undefined, () => currentClient?.captureMessage(message, level, hint, scopeManager.getScope()))
}

export function captureEvent(event: Event, hint?: EventHint): string | undefined {
  return guard('captureEvent', undefined, () => currentClient?.captureEvent(event, hint, scopeManager.getScope()))
}

/** Runs `callback` with a copy of the current scope; changes made to it stay inside. */
export function withScope<T>(callback: (scope: Scope) => T): T {
  let scope: Scope
  try {
    scope = scopeManager.getScope().clone()
  } catch (error) {
    logger.warn('withScope failed', error)
    return callback(new Scope())
  }
  return scopeManager.runWithScope(scope, () => callback(scope))
}

export function setUser(user: User | null): void {
  guard('setUser', undefined, () => void scopeManager.getScope().setUser(user))
}

export function setTag(key: string, value: string | number | boolean): void {
  guard('setTag', undefined, () => void scopeManager.getScope().setTag(key, value))
}

export function setTags(tags: Record<string, string | number | boolean>): void {
  guard('setTags', undefined, () => void scopeManager.getScope().setTags(tags))
}

export function setExtra(key: string, value: unknown): void {
  guard('setExtra', undefined, () => void scopeManager.getScope().setExtra(key, value))
}

export function setContext(name: string, context: Record<string, unknown> | null): void {
  guard('setContext', undefined, () => void scopeManager.getScope().setContext(name, context))
}

export function addBreadcrumb(breadcrumb: Breadcrumb, hint?: BreadcrumbHint): void {
  guard('addBreadcrumb', undefined, () => currentClient?.addBreadcrumb(breadcrumb, hint, scopeManager.getScope()))
}

export function lastEventId(): string | undefined {
  return currentClient?.lastEventId
}

export function flush(timeoutMs?: number): Promise<boolean> {
  return currentClient ? currentClient.flush(timeoutMs) : Promise.resolve(true)
}

export async function close(timeoutMs?: number): Promise<boolean> {
  const client = currentClient
  if (!client) return true
  const result = await client.close(timeoutMs)
  if (currentClient === client) currentClient = undefined
  return result
}
