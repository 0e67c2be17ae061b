/**
 * Unsubscribing from a rule's alert mail, end to end over a real SMTP server: every address gets
 * its own mail with a sealed one-click link per rule (and `List-Unsubscribe` with
 * `List-Unsubscribe-Post`); posting it stops that address's mail about that rule only, while the
 * other addresses and rules go on. An altered link is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type Mail, type NotificationCollector } from './support/notification-collector'
import { applyAlertingYaml } from './support/alerting'

let f: TestFaultline
let collector: NotificationCollector

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  await applyAlertingYaml(
    f,
    `
route:
  receiver: team
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: team
    email_configs:
      - to: [ada@example.com, bob@example.com]
        from: faultline@example.com
        smarthost: ${collector.smtpHost}
rules:
  - { name: errors, kind: issue, when: [new], filters: { levels: [error] } }
  - { name: warnings, kind: issue, when: [new], filters: { levels: [warning] } }
`,
  )
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

async function send(shape: EventShape): Promise<void> {
  expect(await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent(shape)])).toEqual([200])
}

/** Header values with folded lines joined. */
function header(mail: Mail, name: string): string | undefined {
  const head = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  return new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1]
}

const mailsTo = (address: string, about: string) => collector.mails.filter((m) => m.to.includes(address) && m.raw.includes(about))

describe('alert mail unsubscribe', () => {
  it('stops one address getting one rule, and nothing else', async () => {
    await send({ type: 'CheckoutError', level: 'error' })
    const [toAda] = await collector.waitFor('the first mail to each address', () => (mailsTo('ada@example.com', 'CheckoutError').length && mailsTo('bob@example.com', 'CheckoutError').length ? mailsTo('ada@example.com', 'CheckoutError') : undefined))
    expect(toAda!.to).toEqual(['ada@example.com'])
    expect(header(toAda!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click')
    const link = /^<(.*)>$/.exec(header(toAda!, 'List-Unsubscribe') ?? '')?.[1]
    expect(link).toMatch(new RegExp(`^${f.url}/api/v1/alerting/unsubscribe\\?token=`))

    const page = await fetch(link!)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<input type="hidden" name="confirm" value="1">')
    const altered = link!.replace(/token=(.)/, (_, c: string) => `token=${c === 'f' ? 'g' : 'f'}`)
    expect((await fetch(altered, { method: 'POST' })).status).toBe(400)
    const oneClick = await fetch(link!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })
    expect(oneClick.status).toBe(200)
    expect(await oneClick.text()).toContain('ada@example.com gets no more mail about alert rule “errors”')
    // The page's button (a GET with confirm=1) does the same, and again changes nothing.
    expect((await fetch(`${link}&confirm=1`)).status).toBe(200)

    await send({ type: 'PaymentError', level: 'error' })
    await send({ type: 'SlowWarning', level: 'warning' })
    // Each notification mails ada before bob: once bob has both, ada has had every mail she gets.
    await collector.waitFor('bob told of the new error and the warning', () => mailsTo('bob@example.com', 'PaymentError').length > 0 && mailsTo('bob@example.com', 'SlowWarning').length > 0)
    await collector.waitFor('ada told of the warning', () => mailsTo('ada@example.com', 'SlowWarning').length > 0)
    expect(mailsTo('ada@example.com', 'PaymentError')).toEqual([])
  }, 60_000)
})
