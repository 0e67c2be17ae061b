import { describe, expect, it } from 'vitest'
import { costGrowth, superLinearGrowth } from '@faultline/core/testing'
import { parameterize } from '../parameterize'
import { classifyToken, maxTokens, placeholderValues, tokenize } from './tokenize'

const tokens = (text: string): string[] => tokenize(parameterize(text)).tokens

describe('classifyToken', () => {
  it.each([
    ['uid=1000,', 'uid=<*>,'],
    ['"id":7}', '"id":<*>}'],
    ['ret:true', 'ret:<*>'],
    ['(0x1f)', '(<*>)'],
    ['mask=ffffffff', 'mask=<*>'],
    ['None', '<*>'],
    ['null,', '<*>,'],
    ['none', 'none'],
    ['https://x', 'https://x'],
    ['WindowsUpdateAgent.', 'WindowsUpdateAgent.'],
    ['<*>', '<*>'],
  ])('%s → %s', (token, expected) => {
    expect(classifyToken(token)).toBe(expected)
  })
})

describe('tokenize', () => {
  it('joins a unit, a bracketed rendering and a run of values to their value', () => {
    expect(tokens('sent 2717 bytes (2.65 KB) in 15 ms')).toEqual(['sent', '<*>', 'in', '<*>'])
    expect(tokens('estimated size 330.0 B, free 370.2 KB)')).toEqual(['estimated', 'size', '<*>,', 'free', '<*>)'])
    expect(tokens('IRQs 3 4 5 7 10 11 and lists 1,2,3')).toEqual(['IRQs', '<*>', 'and', 'lists', '<*>'])
  })

  it('splits compact JSON after commas and keeps its keys', () => {
    expect(tokens('{"method":"GET","status":200,"ms":12}')).toEqual(['{"method":"GET",', '"status":<*>,', '"ms":<*>}'])
  })

  it('recovers each token’s original text, values included', () => {
    const text = 'user bob@example.com from 10.0.0.1:443 took 15 ms'
    const masked = parameterize(text)
    expect(tokenize(masked, placeholderValues(text, masked)).originals).toEqual(['user', 'bob@example.com', 'from', '10.0.0.1:443', 'took', '15 ms'])
  })

  it('ends a message past the token cap in one wildcard', () => {
    const long = tokens(Array.from({ length: 500 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}x`).join(' '))
    expect(long).toHaveLength(maxTokens)
    expect(long.at(-1)).toBe('<*>')
  })

  it('costs time linear in the text, whatever the text', () => {
    const kinds = ['word ', 'a1 ', '(1 ', '1, ', 'x=1 ', '<int> ', '<<<< ', 'aaaa']
    for (const unit of kinds) {
      const work = (n: number) => {
        const text = unit.repeat(n)
        return () => tokenize(text, placeholderValues(text, text))
      }
      const growth = costGrowth(work(500), work(4000))
      expect(growth.ratio, `${unit}: ${JSON.stringify(growth)}`).toBeLessThan(superLinearGrowth)
    }
  })
})

describe('placeholderValues', () => {
  it('finds each placeholder’s text, or nothing when the texts do not line up', () => {
    expect(placeholderValues('a 1 b 22 c', 'a <int> b <int> c')).toEqual(['1', '22'])
    expect(placeholderValues('x 1', 'x <int>')).toEqual(['1'])
    expect(placeholderValues('a 1', 'b <int>')).toBeUndefined()
    expect(placeholderValues('12', '<int><int>')).toBeUndefined()
  })
})
