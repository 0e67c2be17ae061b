import { describe, expect, it } from 'vitest'
import { ApiError } from '$lib/api'
import { ruleProblems } from './rules'

describe('a rule’s problems from a 422', () => {
  it('lists them by line', () => {
    const error = new ApiError(422, 'Unprocessable Entity', 'The rule does not validate: line 3: kind: Invalid option; expected one of "threshold"; line 7: window: must be a duration')
    expect(ruleProblems(error)).toEqual([
      { line: 3, message: 'kind: Invalid option; expected one of "threshold"' },
      { line: 7, message: 'window: must be a duration' },
    ])
  })

  it('keeps a problem without a line, and ignores other errors', () => {
    expect(ruleProblems(new ApiError(422, 'Unprocessable Entity', 'Send exactly one rule'))).toEqual([{ line: null, message: 'Send exactly one rule' }])
    expect(ruleProblems(new ApiError(400, 'Bad Request', 'line 1: x'))).toEqual([])
    expect(ruleProblems(new Error('line 1: x'))).toEqual([])
  })
})
