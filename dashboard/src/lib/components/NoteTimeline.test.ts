import { afterEach, describe, expect, it } from 'vitest'
import { flushSync, mount, unmount } from 'svelte'
import { FormAction } from '$lib/state/form-action.svelte'
import { NoteTimeline as NoteTimelineState, type NoteEntry } from '$lib/state/note-timeline.svelte'
import NoteTimeline from './NoteTimeline.svelte'

let component: ReturnType<typeof mount> | undefined
afterEach(() => {
  if (component) unmount(component)
  document.body.innerHTML = ''
})

/** A record whose notes are kept in memory; `refuse` makes the next note fail as the API would. */
function record(entries: NoteEntry[]) {
  const action = new FormAction()
  const state = { entries, refuse: false }
  const notes = new NoteTimelineState(action, () => state.entries, (text, notice) =>
    action.run(async () => {
      if (state.refuse) throw new Error('text: Too small')
      state.entries = [...state.entries, { id: `n${state.entries.length}`, at: 1_700_000_000_000, text, by: 'olive' }]
    }, notice),
  )
  return { notes, state, action }
}

function render(notes: NoteTimelineState, canWrite: boolean) {
  component = mount(NoteTimeline, { target: document.body, props: { notes, canWrite } })
  flushSync()
}

describe('NoteTimeline', () => {
  it('shows each entry with its kind, text and author, and no form to a reader', () => {
    const { notes } = record([
      { id: 'a', at: 1_700_000_000_000, kind: 'alert', text: 'Checkout errors firing' },
      { id: 'b', at: 1_700_000_060_000, kind: 'note', text: 'Rolled back', by: 'olive' },
    ])
    render(notes, false)
    const items = [...document.querySelectorAll('ol.timeline li')]
    expect(items.map((li) => [li.classList[0], li.querySelector('.kind')?.textContent, li.querySelector('p')?.textContent])).toEqual([
      ['alert', 'alert', 'Checkout errors firing'],
      ['note', 'note', 'Rolled back'],
    ])
    expect(items[1]!.textContent).toContain('olive')
    expect(document.querySelector('form')).toBeNull()
  })

  it('adds the trimmed draft as a note and clears it, and keeps a refused draft', async () => {
    const { notes, state } = record([])
    render(notes, true)
    expect(document.body.textContent).toContain('No notes yet.')
    const button = document.querySelector<HTMLButtonElement>('button[type=submit]')!
    expect(button.disabled).toBe(true)
    notes.draft = '  Blocked at the edge \n'
    flushSync()
    expect(button.disabled).toBe(false)
    await notes.add()
    flushSync()
    expect(state.entries.map((e) => e.text)).toEqual(['Blocked at the edge'])
    expect(notes.draft).toBe('')
    state.refuse = true
    notes.draft = 'again'
    await notes.add()
    expect(notes.draft).toBe('again')
  })
})
