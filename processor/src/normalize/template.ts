import { Limits, dropUndefined, isRecord, readCount, readString, readStringArray } from './coerce'
import type { NormalizedTemplate } from './types'

const maxContextLines = 10

/** Sentry's deprecated `template` interface: where a template (Django, Jinja) failed. */
export function readTemplate(raw: unknown): NormalizedTemplate | undefined {
  if (!isRecord(raw)) return undefined
  const template = dropUndefined({
    filename: readString(raw.filename, Limits.string),
    absPath: readString(raw.abs_path, Limits.string),
    lineno: readCount(raw.lineno),
    contextLine: readString(raw.context_line, Limits.string),
    preContext: readStringArray(raw.pre_context, maxContextLines),
    postContext: readStringArray(raw.post_context, maxContextLines),
  })
  return template.filename || template.absPath || template.contextLine ? template : undefined
}
