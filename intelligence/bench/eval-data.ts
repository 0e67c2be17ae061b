/**
 * Where the public evaluation corpora live and how to read them. They stay outside the repo
 * (licences, size): `FAULTLINE_EVAL_DATA` names the folder; by default it is `../shared/eval-data`
 * relative to the repository root, or the nearest `shared/eval-data` further up (a git worktree
 * sits one level deeper than the main checkout). Every reader says plainly when its data is absent.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export function evalDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.FAULTLINE_EVAL_DATA
  if (configured) return isAbsolute(configured) ? configured : resolve(repoRoot, configured)
  for (let dir = dirname(resolve(repoRoot)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'eval-data')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return resolve(repoRoot, '../shared/eval-data')
  }
}

export type Located = { ok: true; path: string } | { ok: false; reason: string }

/** The folder of one corpus, or why it cannot be used. */
export function locate(corpus: string, marker: string): Located {
  const root = evalDataRoot()
  const path = join(root, corpus)
  if (!existsSync(join(path, marker))) {
    return { ok: false, reason: `${join(path, marker)} not found (set FAULTLINE_EVAL_DATA to the eval-data folder; default ../shared/eval-data from the repo root)` }
  }
  return { ok: true, path }
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

/** Rows of a CSV file with a header, as objects keyed by column name. */
export function readCsvRecords(path: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'))
  if (!header) return []
  return rows.filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((name, i) => [name, r[i]!])))
}
