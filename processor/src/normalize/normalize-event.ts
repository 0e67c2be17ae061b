import { readContexts, readExtra, readFingerprint, readModules, readRequest, readSdk, readUser } from './attributes'
import { readBreadcrumbs } from './breadcrumbs'
import { Limits, dropUndefined, isRecord, readString, type JsonRecord } from './coerce'
import { readDebugMeta } from './debug-meta'
import { deriveCulprit, deriveTitle, deriveUserKey } from './derive'
import { normalizeEventId } from './event-id'
import { readExceptions } from './exceptions'
import { normalizeStacktrace } from './frames'
import { readInterface } from './interfaces'
import { parseLevel } from './level'
import { readMessage } from './message'
import { readSecurityReport } from './security'
import { securityCulprit, securityMessage, securityTags } from './security-summary'
import { maxTagValueLength, readTags } from './tags'
import { readTemplate } from './template'
import { readThreads } from './threads'
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
  const threads = readThreads(raw.threads)
  const topStack = normalizeStacktrace(readInterface(raw, 'stacktrace'))
  const { exceptions, tookStacktrace } = readExceptions(readInterface(raw, 'exception'), threads, topStack)
  const stacktrace = tookStacktrace || topStack.frames.length === 0 ? undefined : topStack
  const security = readSecurityReport(raw)
  const logEntry = readMessage(raw)
  // Relay writes a security report's message as the event's log entry; the client's wins.
  const message = logEntry.message ?? (security && securityMessage(security))
  const user = readUser(readInterface(raw, 'user'), context.clientIp)
  const request = readRequest(readInterface(raw, 'request'))
  const transaction = readString(raw.transaction, Limits.shortString)
  const platform = readString(raw.platform, 64)
  const site = readString(raw.site, maxTagValueLength)
  const tags = readTags({ ...(site && { site }), ...(security && securityTags(security)), ...readTags(raw.tags) })
  const stacks = { exceptions, stacktrace, threads: threads.length > 0 ? threads : undefined }
  const event: NormalizedEvent = {
    projectId: context.projectId,
    eventId: normalizeEventId(raw.event_id),
    timestamp,
    originalTimestamp: original,
    receivedAt,
    level: parseLevel(raw.level) ?? Level.Error,
    platform,
    logger: readString(raw.logger, Limits.shortString),
    transaction,
    serverName: readString(raw.server_name, Limits.shortString),
    release: readString(raw.release, Limits.shortString),
    dist: readString(raw.dist, 64),
    environment: readString(raw.environment, 64) ?? defaultEnvironment,
    message,
    messageTemplate: logEntry.template,
    ...stacks,
    template: readTemplate(readInterface(raw, 'template')),
    debugMeta: readDebugMeta(raw.debug_meta),
    security,
    breadcrumbs: readBreadcrumbs(readInterface(raw, 'breadcrumbs')),
    tags,
    contexts: readContexts(readInterface(raw, 'contexts')),
    user,
    request,
    sdk: readSdk(raw.sdk),
    fingerprint: readFingerprint(raw.fingerprint),
    extra: readExtra(raw.extra),
    modules: readModules(raw.modules),
    checksum: readString(raw.checksum, 128),
    culprit: deriveCulprit(
      { transaction, request, platform, ...stacks },
      readString(raw.culprit, Limits.shortString) ?? (security && securityCulprit(security)),
    ),
    title: deriveTitle({ message, ...stacks }),
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
