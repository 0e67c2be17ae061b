import { readContexts, readExtra, readFingerprint, readRequest, readSdk, readUser } from './attributes'
import { readBreadcrumbs } from './breadcrumbs'
import { Limits, dropUndefined, isRecord, readString, type JsonRecord } from './coerce'
import { deriveCulprit, deriveTitle, deriveUserKey } from './derive'
import { normalizeEventId } from './event-id'
import { readExceptions } from './exceptions'
import { parseLevel } from './level'
import { readMessage } from './message'
import { readTags } from './tags'
import { resolveTimestamp } from './timestamp'
import { Level, type NormalizeContext, type NormalizeResult, type NormalizedEvent } from './types'

const defaultEnvironment = 'production'

function describeType(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

function buildEvent(raw: JsonRecord, context: NormalizeContext): NormalizedEvent {
  const receivedAt = context.receivedAt
  const { timestamp, original } = resolveTimestamp(raw.timestamp, receivedAt)
  const exceptions = readExceptions(raw.exception, raw.threads)
  const message = readMessage(raw)
  const user = readUser(raw.user, context.clientIp)
  const request = readRequest(raw.request)
  const transaction = readString(raw.transaction, Limits.shortString)
  const event: NormalizedEvent = {
    projectId: context.projectId,
    eventId: normalizeEventId(raw.event_id),
    timestamp,
    originalTimestamp: original,
    receivedAt,
    level: parseLevel(raw.level) ?? Level.Error,
    platform: readString(raw.platform, 64),
    logger: readString(raw.logger, Limits.shortString),
    transaction,
    serverName: readString(raw.server_name, Limits.shortString),
    release: readString(raw.release, Limits.shortString),
    dist: readString(raw.dist, 64),
    environment: readString(raw.environment, 64) ?? defaultEnvironment,
    message,
    exceptions,
    breadcrumbs: readBreadcrumbs(raw.breadcrumbs),
    tags: readTags(raw.tags),
    contexts: readContexts(raw.contexts),
    user,
    request,
    sdk: readSdk(raw.sdk),
    fingerprint: readFingerprint(raw.fingerprint),
    extra: readExtra(raw.extra),
    culprit: deriveCulprit({ transaction, exceptions, request }),
    title: deriveTitle(exceptions, message),
    userKey: deriveUserKey(user),
  }
  return dropUndefined(event)
}

/**
 * Turns a Sentry event payload (parsed JSON, already scrubbed at ingest) into Faultline's event.
 * Only a payload that is not a JSON object is rejected; every field is read defensively.
 */
export function normalizeEvent(raw: unknown, context: NormalizeContext): NormalizeResult {
  if (!isRecord(raw)) return { ok: false, reason: `event payload must be a JSON object, got ${describeType(raw)}` }
  try {
    return { ok: true, event: buildEvent(raw, context) }
  } catch (error) {
    // Plain JSON cannot get here; a caller passing objects with throwing getters can, and the
    // processor must get a reason it can dead-letter rather than an exception.
    return { ok: false, reason: `event payload could not be read: ${error instanceof Error ? error.message : String(error)}` }
  }
}
