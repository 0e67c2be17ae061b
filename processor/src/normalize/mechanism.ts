import { Limits, capRecordSize, dropUndefined, isRecord, readBoolean, readCount, readNumber, readRecord, readString } from './coerce'
import type { NormalizedMechanism, NormalizedMechanismMeta } from './types'

const maxDataBytes = 4096

// POSIX signals whose numbers Linux, Android, Darwin and the BSDs share, so a name can be filled
// in without knowing the OS, as Relay does when the SDK sent only the number.
const signalNames: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
}

function nonEmpty<T extends object>(value: T): T | undefined {
  dropUndefined(value)
  return Object.keys(value).length > 0 ? value : undefined
}

/** Signed integers: mach codes and NSError codes may be negative. */
function readInteger(value: unknown): number | undefined {
  const n = readNumber(value)
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined
}

function readMeta(raw: unknown): NormalizedMechanismMeta | undefined {
  if (!isRecord(raw)) return undefined
  const signal = isRecord(raw.signal) ? raw.signal : {}
  const signalNumber = readCount(signal.number)
  const mach = isRecord(raw.mach_exception) ? raw.mach_exception : {}
  const nsError = isRecord(raw.ns_error) ? raw.ns_error : {}
  const errno = isRecord(raw.errno) ? raw.errno : {}
  return nonEmpty({
    signal: nonEmpty({
      number: signalNumber,
      code: readInteger(signal.code),
      name: readString(signal.name, 64) ?? (signalNumber === undefined ? undefined : signalNames[signalNumber]),
      codeName: readString(signal.code_name, 64),
    }),
    machException: nonEmpty({
      exception: readInteger(mach.exception),
      code: readInteger(mach.code),
      subcode: readInteger(mach.subcode),
      name: readString(mach.name, 64),
    }),
    nsError: nonEmpty({ code: readInteger(nsError.code), domain: readString(nsError.domain, Limits.shortString) }),
    errno: nonEmpty({ number: readInteger(errno.number), name: readString(errno.name, 64) }),
  })
}

/** Sentry's exception `mechanism`: how the error was caught, and what the OS said about it. */
export function readMechanism(raw: unknown): NormalizedMechanism | undefined {
  if (!isRecord(raw)) return undefined
  const data = readRecord(raw.data, 4)
  return nonEmpty({
    type: readString(raw.type, Limits.shortString),
    description: readString(raw.description, Limits.string),
    helpLink: readString(raw.help_link, Limits.string),
    handled: readBoolean(raw.handled),
    synthetic: readBoolean(raw.synthetic),
    source: readString(raw.source, Limits.shortString),
    isExceptionGroup: readBoolean(raw.is_exception_group),
    exceptionId: readCount(raw.exception_id),
    parentId: readCount(raw.parent_id),
    meta: readMeta(raw.meta),
    data: data && Object.keys(data).length > 0 ? capRecordSize(data, maxDataBytes) : undefined,
  })
}
