/** A fresh instance prints a one-time setup link at start; only its token sets up the owner, once. */
import { afterAll, describe, expect, it, vi } from 'vitest'
import { ApiHarness } from '../testing/api-harness'

let h: ApiHarness | undefined
afterAll(() => h?.close())

describe('first-run setup link', () => {
  it('is printed when nobody owns the instance, and its token works exactly once', async () => {
    const printed: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line))
    try {
      h = await ApiHarness.start({}, 'https://faultline.example.test')
    } finally {
      spy.mockRestore()
    }
    const link = /https:\/\/faultline\.example\.test\/setup\?token=([A-Za-z0-9_-]{32})/.exec(printed.join('\n'))
    expect(link).not.toBeNull()
    const body = { token: link![1], organization: 'Acme', email: 'olive@acme.test', name: 'Olive', password: 'a long passphrase here' }
    expect((await h.request('GET', '/projects')).status).toBe(401)
    expect((await h.request('POST', '/setup', body)).status).toBe(201)
    expect((await h.request('POST', '/setup', { ...body, email: 'mallory@acme.test' })).status).toBe(409)
  })
})
