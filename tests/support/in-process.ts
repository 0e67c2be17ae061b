/** Helpers for tests that mount the tiers on a hono app and call it in process (no HTTP server). */
import type { Hono } from 'hono'
import { waitUntil } from './wait'

/** Calls `/api/v1<path>` on `app` with an API token; returns the status and the parsed JSON. */
export async function callApi(app: Hono, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await app.request(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

/** Polls `check` until it gives a value other than undefined; fails loudly, naming `what`, at the deadline. */
export const waitFor = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T> => waitUntil(what, check, timeoutMs)
