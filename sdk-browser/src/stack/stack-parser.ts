import { createStackParser, type StackFrame, type StackParser } from '@faultline/sdk-core'

const unknownFunction = '?'

function frame(filename: string | undefined, fn: string | undefined, lineno?: string, colno?: string): StackFrame {
  const f: StackFrame = { function: fn || unknownFunction, in_app: isInApp(filename) }
  if (filename) {
    f.filename = filename
    f.abs_path = filename
  }
  if (lineno) f.lineno = Number(lineno)
  if (colno) f.colno = Number(colno)
  return f
}

export function isInApp(filename: string | undefined): boolean {
  if (!filename || filename === '[native code]' || filename === '<anonymous>') return false
  if (/^(chrome|moz|safari|safari-web)-extension:\/\//.test(filename)) return false
  return !/\/node_modules\//.test(filename)
}

// Chrome and Edge (V8): "    at fn (url:1:2)", "    at url:1:2", "    at async fn (url:1:2)",
// "    at eval (eval at fn (url:1:2), <anonymous>:3:4)".
const chromeLine = /^\s*at (?:async )?(?:(.+?) \((.*)\)|(.+))$/
const chromeLocation = /^(.*?):(\d+)(?::(\d+))?$/
const chromeEval = /^eval at [^(]*\((.*?):(\d+):(\d+)\)/

export function parseChromeLine(line: string): StackFrame | undefined {
  const m = chromeLine.exec(line)
  if (!m) return undefined
  let fn = m[1]?.replace(/ \[as [^\]]+\]$/, '')
  const location = m[2] ?? m[3] ?? ''
  const evalMatch = chromeEval.exec(location)
  if (evalMatch) return frame(evalMatch[1], fn ?? 'eval', evalMatch[2], evalMatch[3])
  const loc = chromeLocation.exec(location)
  if (loc) return frame(loc[1], fn, loc[2], loc[3])
  if (m[2] !== undefined) {
    if (location === 'native') fn = fn ?? unknownFunction
    return frame(location === 'native' ? '[native code]' : location.startsWith('index ') ? undefined : location, fn)
  }
  return undefined
}

// Firefox and Safari: "fn@url:1:2", "@url:1:2", "fn/<@url:1:2", "global code@url:1:2",
// Firefox eval: "fn@url line 2 > eval:1:3", Safari natives: "forEach@[native code]".
const geckoLine = /^\s*(.*?)@(.*?)(?::(\d+))?(?::(\d+))?\s*$/
const geckoEval = /(\S+) line (\d+)(?: > eval line \d+)* > (?:eval|Function)/

export function parseGeckoLine(line: string): StackFrame | undefined {
  if (!line.includes('@') && line.trim() !== '[native code]') return undefined
  if (line.trim() === '[native code]') return frame('[native code]', unknownFunction)
  const m = geckoLine.exec(line)
  if (!m) return undefined
  const fn = m[1]?.replace(/^(?:promise callback|async|setTimeout handler|EventListener\.handleEvent)\*/, '')
  const location = m[2] ?? ''
  const evalMatch = geckoEval.exec(location)
  if (evalMatch) return frame(evalMatch[1], fn || 'eval', evalMatch[2])
  if (!location && !m[3]) return undefined
  return frame(location, fn, m[3], m[4])
}

/** Chrome lines start with "at"; Firefox and Safari use "fn@url". One parser handles all three. */
export const browserStackParser: StackParser = createStackParser(parseChromeLine, parseGeckoLine)
