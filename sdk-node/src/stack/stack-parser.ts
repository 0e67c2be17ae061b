import { fileURLToPath } from 'node:url'
import { createStackParser, type StackFrame, type StackParser } from '@faultline/sdk-core'

const framePattern = /^\s*at (?:async )?(?:(.+?) \((.*)\)|(.+))$/
const locationPattern = /^(.*?):(\d+)(?::(\d+))?$/
// `eval at fn (file:1:2), <anonymous>:3:4`: the useful location is where eval was called.
const evalPattern = /^eval at [^(]*\((.*?):(\d+):(\d+)\)/

function normalizeFilename(filename: string): string {
  if (filename.startsWith('file://')) {
    try {
      return fileURLToPath(filename)
    } catch {
      return filename
    }
  }
  return filename
}

export function isInApp(filename: string | undefined): boolean {
  if (!filename) return false
  if (filename.startsWith('node:') || filename.startsWith('internal/') || filename === '<anonymous>' || filename === 'native') return false
  if (/[\\/]node_modules[\\/]/.test(filename)) return false
  return filename.startsWith('/') || /^[A-Za-z]:[\\/]/.test(filename) || filename.startsWith('.')
}

/** One V8 stack line as Node prints it. */
export function parseV8Line(line: string): StackFrame | undefined {
  const match = framePattern.exec(line)
  if (!match) return undefined
  const [, fn, parenLocation, bareLocation] = match
  const rawLocation = parenLocation ?? bareLocation ?? ''
  let functionName = fn?.replace(/ \[as [^\]]+\]$/, '')
  let filename: string | undefined
  let lineno: number | undefined
  let colno: number | undefined

  const evalMatch = evalPattern.exec(rawLocation)
  if (evalMatch) {
    filename = evalMatch[1]
    lineno = Number(evalMatch[2])
    colno = Number(evalMatch[3])
    functionName = functionName ?? 'eval'
  } else {
    const loc = locationPattern.exec(rawLocation)
    if (loc) {
      filename = loc[1]
      lineno = Number(loc[2])
      colno = loc[3] ? Number(loc[3]) : undefined
    } else if (parenLocation !== undefined) {
      // `at Promise.all (index 0)`, `at fn (native)`, `at Generator.next (<anonymous>)`
      filename = rawLocation === 'native' ? 'native' : rawLocation.startsWith('index ') ? undefined : rawLocation
    } else {
      return undefined
    }
  }
  if (filename) filename = normalizeFilename(filename)
  const frame: StackFrame = { function: functionName || '?', in_app: isInApp(filename) }
  if (filename) {
    frame.filename = filename
    frame.abs_path = filename
    const pkg = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(filename)
    if (pkg) frame.module = pkg[1]!.replace(/\\/g, '/')
  }
  if (lineno !== undefined) frame.lineno = lineno
  if (colno !== undefined) frame.colno = colno
  return frame
}

export const nodeStackParser: StackParser = createStackParser(parseV8Line)
