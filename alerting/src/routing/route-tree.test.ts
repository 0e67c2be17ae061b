import { describe, expect, it } from 'vitest'
import { compileRoutes, groupKey, matchRoutes, routeSchema } from '.'

const tree = compileRoutes(
  routeSchema.parse({
    receiver: 'default',
    group_by: ['alertname'],
    group_wait: '10s',
    routes: [
      { matchers: ['team="payments"'], receiver: 'payments', group_wait: '1s', routes: [{ matchers: ['severity="critical"'], receiver: 'payments-pager' }] },
      { matchers: ['severity=~"critical|fatal"'], receiver: 'pager', continue: true },
      { matchers: ['env="production"'], receiver: 'prod', group_by: ['...'] },
      { matchers: ['env="production"'], receiver: 'never-reached' },
    ],
  }),
)

const receivers = (labels: Record<string, string>) => matchRoutes(tree, labels).map((r) => r.options.receiver)

describe('routing tree', () => {
  it('takes the first matching child and descends into it', () => {
    expect(receivers({ team: 'payments', severity: 'critical', env: 'production' })).toEqual(['payments-pager'])
    expect(receivers({ team: 'payments', severity: 'warning' })).toEqual(['payments'])
  })

  it('goes on past a child with continue, and stops at the first without', () => {
    expect(receivers({ severity: 'critical', env: 'production' })).toEqual(['pager', 'prod'])
    expect(receivers({ severity: 'critical' })).toEqual(['pager'])
  })

  it('ends at the node itself when no child matches', () => {
    expect(receivers({ severity: 'info' })).toEqual(['default'])
  })

  it('inherits timing and grouping unless a child sets them', () => {
    const [payments] = matchRoutes(tree, { team: 'payments' })
    expect(payments!.options).toMatchObject({ groupWaitMs: 1_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000, groupBy: ['alertname'] })
    const [pager] = matchRoutes(tree, { team: 'payments', severity: 'critical' })
    expect(pager!.options.groupWaitMs).toBe(1_000)
  })

  it('keys groups by route and group_by labels; ... groups by all labels', () => {
    const [payments] = matchRoutes(tree, { team: 'payments', alertname: 'A' })
    expect(groupKey(payments!, { team: 'payments', alertname: 'A', issue: '7' })).toBe('0.0:{alertname="A"}')
    const [, prod] = matchRoutes(tree, { severity: 'critical', env: 'production' })
    expect(groupKey(prod!, { env: 'production', severity: 'critical' })).toBe('0.2:{env="production",severity="critical"}')
  })
})
