import { afterEach, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import type { Frame } from '$lib/api'
import StackTrace from './StackTrace.svelte'

const frames: Frame[] = [
  { function: 'processTicksAndRejections', filename: 'node:internal/process/task_queues', lineno: 95, colno: 5, inApp: false, contextLine: 'internal()' },
  {
    function: 'chargeCard',
    filename: 'src/checkout.mjs',
    lineno: 3,
    colno: 29,
    inApp: true,
    preContext: ['export function chargeCard(order) {', '  // cards only'],
    contextLine: "  if (!order.card) throw new TypeError('card missing')",
    postContext: ["  return 'charged'"],
    vars: { order: { id: 1001 }, attempt: 2 },
  },
]

let component: ReturnType<typeof mount> | undefined
afterEach(() => {
  if (component) unmount(component)
  document.body.innerHTML = ''
})

function render(props: { frames: Frame[]; newestFirst?: boolean; framesOmitted?: number }) {
  component = mount(StackTrace, { target: document.body, props })
  flushSync()
  return [...document.querySelectorAll<HTMLLIElement>('li.frame')]
}

describe('StackTrace', () => {
  it('shows the newest call first, in-app frames open with the failing line highlighted and numbered', () => {
    const [first, second] = render({ frames })
    expect(first!.querySelector('.fn')!.textContent).toBe('chargeCard')
    expect(first!.querySelector('.file')!.textContent).toBe('src/checkout.mjs:3:29')
    expect(first!.querySelector('details')!.open).toBe(true)
    const lines = [...first!.querySelectorAll('.line')].map((l) => [l.querySelector('.n')!.textContent, l.classList.contains('current')])
    expect(lines).toEqual([
      ['1', false],
      ['2', false],
      ['3', true],
      ['4', false],
    ])
    expect(first!.querySelector('.current')!.textContent).toContain("throw new TypeError('card missing')")
    expect(second!.querySelector('.fn')!.textContent).toBe('processTicksAndRejections')
  })

  it('keeps library frames closed until opened', () => {
    const [, library] = render({ frames })
    const details = library!.querySelector('details')!
    expect(details.open).toBe(false)
    expect(library!.querySelector('.badge')).toBeNull()
    details.open = true
    expect(library!.querySelector('.current')!.textContent).toContain('internal()')
  })

  it('lists local variables when the SDK sent them', () => {
    const [inApp] = render({ frames })
    const vars = [...inApp!.querySelectorAll('.vars tr')].map((row) => [row.querySelector('th')!.textContent, row.querySelector('code')!.textContent])
    expect(vars).toEqual([
      ['order', '{"id":1001}'],
      ['attempt', '2'],
    ])
  })

  it('keeps the stored order when asked, and says how many frames the SDK dropped', () => {
    const rows = render({ frames, newestFirst: false, framesOmitted: 12 })
    expect(rows[0]!.querySelector('.fn')!.textContent).toBe('processTicksAndRejections')
    expect(document.querySelector('.omitted')!.textContent).toBe('12 frames omitted by the SDK')
  })
})
