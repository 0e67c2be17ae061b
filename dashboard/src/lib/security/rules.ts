/**
 * Detection rules in the editor. A rule that does not validate answers 422 with its problems in
 * the detail: "The rule does not validate: line 3: kind: Invalid option; line 7: window: ...". The
 * editor lists them by line and marks those lines; a 422 without line numbers (wrong id, several
 * rules) is one problem without a line.
 */
import { ApiError } from '$lib/api'

export interface RuleProblem {
  line: number | null
  message: string
}

export function ruleProblems(error: unknown): RuleProblem[] {
  if (!(error instanceof ApiError) || error.status !== 422) return []
  const detail = error.message.replace(/^The rule does not validate:\s*/, '')
  const parts = detail.split(/;\s*(?=line \d+: )/)
  return parts.map((part) => {
    const match = /^line (\d+): ([\s\S]*)$/.exec(part)
    return match ? { line: Number(match[1]), message: match[2]! } : { line: null, message: part }
  })
}

/** What "New rule" starts from: a threshold rule in the shape of the built-in pack. */
export const newRuleTemplate = `id: my-rule
name: Many denied requests from one user
description: Twenty authorization failures for one user within a minute.
kind: threshold
severity: medium
where: 'event.action: authz_fail'
group_by: [user.name]
window: 1m
threshold: 20
suppress: 10m
`
