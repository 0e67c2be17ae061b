import { describe, expect, it } from 'vitest'
import { dumpConfigYaml, loadConfigYaml } from '.'

const valid = `
route:
  receiver: team
  group_by: [alertname, project]
  group_wait: 5s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: team
    webhook_configs:
      - url: http://127.0.0.1:9/hook
  - name: pager
    slack_configs:
      - channel: '#oncall'
        token_secret: slack-bot
rules:
  - name: new-issues
    kind: issue
    when: [new, regression]
    filters: { levels: [error, fatal], environments: [production] }
    labels: { severity: critical }
`

describe('configuration from YAML', () => {
  it('reads a valid document into typed configuration, and writes it back', () => {
    const loaded = loadConfigYaml(valid)
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
    expect(loaded.config.route.group_wait).toBe(5_000)
    expect(loaded.config.route.routes[0]!.matchers[0]).toMatchObject({ name: 'severity', type: '=', value: 'critical' })
    expect(loaded.config.rules[0]).toMatchObject({ kind: 'issue', when: ['new', 'regression'], labels: { severity: 'critical' } })
    const again = loadConfigYaml(dumpConfigYaml(loaded.source))
    expect(again.ok && again.config).toEqual(loaded.config)
  })

  it('points at the line of each problem: unknown receivers, regex bombs, bad durations', () => {
    const problems = (text: string) => {
      const loaded = loadConfigYaml(text)
      if (loaded.ok) throw new Error('accepted a broken configuration')
      return loaded.problems
    }
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1
    const broken = valid.replace(`'severity="critical"'`, `'team=~"(a+)+"'`).replace('group_wait: 5s', 'group_wait: soon')
    expect(problems(broken)).toEqual([
      expect.objectContaining({ line: lineOf(broken, 'group_wait: soon'), path: 'route.group_wait', message: expect.stringContaining('not a duration') }),
      expect.objectContaining({ line: lineOf(broken, '(a+)+'), path: 'route.routes.0.matchers.0', message: expect.stringContaining('backtrack catastrophically') }),
    ])
    // References are checked once every field is well-formed.
    const unknown = valid.replace('receiver: pager', 'receiver: nobody')
    expect(problems(unknown)).toEqual([
      expect.objectContaining({ line: lineOf(unknown, '- matchers'), path: 'route.routes.0', message: 'route refers to unknown receiver "nobody"' }),
    ])
  })

  it('refuses malformed YAML, duplicate keys, alias bombs and oversized documents with a position', () => {
    const cases = [
      'route: [unclosed',
      'route:\n  receiver: a\n  receiver: b\nreceivers: []',
      `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]`,
      `x: "${'a'.repeat(16 * 1024 * 1024)}"`,
      '- just\n- a list',
    ]
    for (const text of cases) {
      const loaded = loadConfigYaml(text)
      expect(loaded.ok, text.slice(0, 40)).toBe(false)
      if (!loaded.ok) expect(loaded.problems[0]!.line).toBeGreaterThanOrEqual(1)
    }
  })
})
