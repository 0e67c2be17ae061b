/**
 * A typical Sentry error event of about 3 KB, as @sentry/node sends it: an exception with a
 * stack of in-app and library frames with context lines, breadcrumbs, contexts, tags, user and
 * request. `variant` picks one of many call paths, so events spread over that many issues.
 */
import { randomUUID } from 'node:crypto'

export function typicalEvent(variant: number, now = Date.now()): Record<string, unknown> {
  const handler = `handleOrder${String(variant).padStart(5, '0')}`
  return {
    event_id: randomUUID().replaceAll('-', ''),
    timestamp: now / 1000,
    platform: 'node',
    level: 'error',
    logger: 'checkout',
    server_name: 'checkout-7f9c6d5b8-x2kqp',
    release: 'checkout@2.14.0',
    environment: 'production',
    transaction: `POST /api/orders/:id/pay`,
    sdk: { name: 'sentry.javascript.node', version: '10.78.0', integrations: ['InboundFilters', 'FunctionToString', 'LinkedErrors', 'Http', 'Console', 'OnUncaughtException'] },
    exception: {
      values: [
        {
          type: 'PaymentDeclinedError',
          value: `Payment for order ${100000 + (now % 9000)} declined by provider: insufficient funds`,
          mechanism: { type: 'generic', handled: true },
          stacktrace: {
            frames: [
              { filename: '/srv/checkout/node_modules/express/lib/router/layer.js', module: 'express.lib.router:layer', function: 'Layer.handle [as handle_request]', lineno: 95, colno: 5, in_app: false },
              { filename: '/srv/checkout/node_modules/express/lib/router/route.js', module: 'express.lib.router:route', function: 'next', lineno: 149, colno: 13, in_app: false },
              { filename: '/srv/checkout/src/routes/orders.js', module: 'src.routes:orders', function: handler, lineno: 41, colno: 22, in_app: true, pre_context: ['router.post(\'/:id/pay\', async (req, res) => {', '  const order = await orders.find(req.params.id)', '  const card = await wallet.defaultCard(req.user)'], context_line: '  const receipt = await payments.charge(order, card)', post_context: ['  await orders.markPaid(order, receipt)', '  res.json({ receipt })', '})'] },
              { filename: '/srv/checkout/src/services/payments.js', module: 'src.services:payments', function: 'charge', lineno: 88, colno: 11, in_app: true, pre_context: ['async function charge(order, card) {', '  const amount = order.totalCents'], context_line: '    throw new PaymentDeclinedError(order.id, response.reason)', post_context: ['  }', '  return response.receipt'] },
            ],
          },
        },
      ],
    },
    breadcrumbs: {
      values: Array.from({ length: 6 }, (_, i) => ({
        timestamp: now / 1000 - 6 + i,
        type: i % 2 ? 'http' : 'default',
        category: i % 2 ? 'http' : 'console',
        level: 'info',
        message: i % 2 ? undefined : `order step ${i} completed`,
        data: i % 2 ? { method: 'POST', url: 'https://payments.example.net/v2/charges', status_code: 402 } : undefined,
      })),
    },
    contexts: {
      os: { name: 'Linux', version: '6.1.0-18-amd64', kernel_version: '6.1.0' },
      runtime: { name: 'node', version: 'v20.20.2' },
      app: { app_start_time: new Date(now - 3_600_000).toISOString(), app_memory: 183_500_800 },
      trace: { trace_id: randomUUID().replaceAll('-', ''), span_id: randomUUID().replaceAll('-', '').slice(0, 16) },
    },
    tags: { region: 'eu-west-1', payment_provider: 'acme-pay', tenant: `tenant-${variant % 50}` },
    user: { id: `user-${now % 5000}`, ip_address: '203.0.113.7' },
    request: {
      method: 'POST',
      url: `https://shop.example.com/api/orders/${now % 9000}/pay`,
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36', 'content-type': 'application/json', accept: 'application/json' },
    },
    extra: { retryCount: 2, orderTotalCents: 129_99 },
  }
}

export function envelopeBody(event: Record<string, unknown>): string {
  const payload = JSON.stringify(event)
  return `${JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString() })}\n${JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) })}\n${payload}\n`
}
