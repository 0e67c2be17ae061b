import { describe, expect, it } from 'vitest'
import { ApiError } from '$lib/api'
import { ConfigInvalidError, type AlertGroup, type AlertingClient, type IncidentDetail } from '$lib/api/alerting'
import { AlertGroupState } from './alert-groups.svelte'
import { AlertingConfigState, parseLabels } from './alerting-config.svelte'
import { IncidentState } from './incidents.svelte'
import { SilencesState } from './silences.svelte'

const group = (state: AlertGroup['state']): AlertGroup => ({ _id: 'g1', groupKey: 'k', receiver: 'team', labels: { alertname: 'new-errors' }, state, title: 'new-errors', firing: ['f'], issues: [], firstFiredAt: 1, updatedAt: 1 })

/** An alerting API over one group, one incident and a configuration at `revision`, recording each call. */
function fakeApi() {
  const calls: string[] = []
  let current = group('triggered')
  let incident: IncidentDetail = { _id: 'i1', title: 'Checkout down', severity: 'major', status: 'investigating', responders: [], groupIds: [], issues: [], createdBy: 'me', declaredAt: 1, updatedAt: 1, timeline: [] }
  let revision = 3
  const silences: { _id: string; matchers: string[]; startsAt: number; endsAt: number; createdBy: string; comment: string; createdAt: number }[] = []
  const preview = (yaml: string) => {
    if (yaml.includes('nobody')) throw new ConfigInvalidError(new ApiError(422, 'Unprocessable Entity', 'line 2: unknown receiver'), [{ line: 2, column: 13, path: 'route.receiver', message: 'unknown receiver nobody' }])
    return { valid: true as const, diff: { changed: true, receivers: { added: ['pager'], removed: [], changed: [] }, rules: { added: [], removed: [], changed: [] }, time_intervals: { added: [], removed: [], changed: [] }, route: false, inhibit_rules: false, silences: false, global: false } }
  }
  const client = {
    groups: {
      list: async () => ({ data: [current] }),
      get: async () => current,
      acknowledge: async () => (calls.push('ack'), (current = { ...group('acknowledged'), acknowledgedBy: 'me' })),
      resolve: async () => (calls.push('resolve'), (current = group('resolved'))),
      silence: async (_o: string, _id: string, minutes: number) => {
        calls.push(`silence ${minutes}`)
        current = group('silenced')
        return { _id: 's', matchers: [], startsAt: 0, endsAt: minutes, createdBy: 'me', comment: '', createdAt: 0 }
      },
    },
    incidents: {
      list: async () => ({ data: [incident] }),
      declare: async (_o: string, body: { title: string; groupId?: string }) => (calls.push(`declare ${body.title} ${body.groupId ?? ''}`), { ...incident, _id: 'i2', title: body.title }),
      get: async () => incident,
      setStatus: async (_o: string, _id: string, status: IncidentDetail['status']) => (incident = { ...incident, status, timeline: [...incident.timeline, { _id: `t${incident.timeline.length}`, at: 2, kind: 'status', text: status }] }),
      addNote: async (_o: string, _id: string, text: string) => {
        if (!text) throw new ApiError(400, 'Bad Request', 'text: Too small')
        incident = { ...incident, timeline: [...incident.timeline, { _id: `t${incident.timeline.length}`, at: 2, kind: 'note', text }] }
        return {}
      },
      addResponder: async (_o: string, _id: string, name: string) => (incident = { ...incident, responders: [...incident.responders, name] }),
    },
    config: {
      get: async () => ({ revision, yaml: 'route:\n  receiver: team\n' }),
      preview: async (_o: string, yaml: string) => preview(yaml),
      apply: async (_o: string, yaml: string, expected: number) => {
        if (expected !== revision) throw new ApiError(409, 'Conflict', `The configuration changed (revision ${revision})`)
        const { diff } = preview(yaml)
        revision += 1
        return { revision, diff }
      },
    },
    testRoutes: async (_o: string, labels: Record<string, string>) => ({ routes: labels.severity === 'critical' ? [{ id: '0.0', receiver: 'pager', groupBy: ['alertname'] }] : [] }),
    previewRule: async (_o: string, rule: unknown) => ({ rule: (rule as { name: string }).name, from: 'a', to: 'b', fired: 2, episodes: [] }),
    silences: {
      list: async () => ({ data: [...silences] }),
      create: async (_o: string, body: { matchers: string[]; endsAt: number; comment: string }) => {
        const doc = { _id: `s${silences.length}`, ...body, startsAt: 0, createdBy: 'me', createdAt: 0 }
        silences.push(doc)
        return doc
      },
      expire: async (_o: string, id: string) => {
        const doc = silences.find((s) => s._id === id)!
        doc.endsAt = 0
        return doc
      },
    },
  } satisfies Omit<AlertingClient, 'schedules'>
  return { client, calls, bumpRevision: () => (revision += 1) }
}

describe('AlertGroupState', () => {
  it('acknowledges, silences and resolves the group, showing each new state', async () => {
    const { client, calls } = fakeApi()
    const view = new AlertGroupState('1', 'g1', client)
    await view.load()
    expect(view.group?.state).toBe('triggered')
    await view.acknowledge()
    expect(view.group).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'me' })
    expect(view.action.notice).toBe('Acknowledged')
    await view.silence(30)
    expect(view.group?.state).toBe('silenced')
    await view.resolve()
    expect(view.group?.state).toBe('resolved')
    expect(calls).toEqual(['ack', 'silence 30', 'resolve'])
  })

  it('declares an incident from the group and answers its id', async () => {
    const { client, calls } = fakeApi()
    const view = new AlertGroupState('1', 'g1', client)
    expect(await view.declareIncident('Checkout down', 'critical')).toBe('i2')
    expect(calls).toEqual(['declare Checkout down g1'])
  })
})

describe('IncidentState', () => {
  it('adds notes and changes status, reading the timeline back after each', async () => {
    const { client } = fakeApi()
    const view = new IncidentState('1', 'i1', client)
    await view.load()
    view.notes.draft = '  Rolled back 1.2.3\n'
    await view.notes.add()
    expect(view.notes.draft).toBe('')
    await view.setStatus('monitoring', 'watching')
    await view.addResponder('ann')
    expect(view.incident?.timeline.map((t) => [t.kind, t.text])).toEqual([['note', 'Rolled back 1.2.3'], ['status', 'monitoring']])
    expect(view.notes.entries.map((e) => [e.id, e.kind, e.text])).toEqual(view.incident?.timeline.map((t) => [t._id, t.kind, t.text]))
    expect(view.incident?.status).toBe('monitoring')
    expect(view.incident?.responders).toEqual(['ann'])
  })

  it("keeps a refused change's reason and the incident as it was", async () => {
    const { client } = fakeApi()
    const view = new IncidentState('1', 'i1', client)
    await view.load()
    view.notes.draft = '   '
    await view.notes.add()
    expect((view.action.error as ApiError).message).toBe('text: Too small')
    expect(view.notes.draft).toBe('   ')
    expect(view.incident?.timeline).toEqual([])
  })
})

describe('AlertingConfigState', () => {
  it('previews, then applies against the revision it read, and moves to the new revision', async () => {
    const { client } = fakeApi()
    const config = new AlertingConfigState('1', client)
    await config.load()
    expect(config.revision).toBe(3)
    config.yaml += 'receivers: [{ name: pager }]\n'
    await config.preview()
    expect(config.diff?.receivers.added).toEqual(['pager'])
    await config.apply()
    expect(config.revision).toBe(4)
    expect(config.action.notice).toBe('Applied')
  })

  it('lists every problem of a refused configuration by line, and refuses an apply over a newer revision', async () => {
    const { client, bumpRevision } = fakeApi()
    const config = new AlertingConfigState('1', client)
    await config.load()
    config.yaml = 'route:\n  receiver: nobody\n'
    await config.apply()
    expect(config.problems).toEqual([{ line: 2, column: 13, path: 'route.receiver', message: 'unknown receiver nobody' }])
    expect(config.diff).toBeNull()
    config.yaml = 'route:\n  receiver: team\n'
    bumpRevision()
    await config.apply()
    expect(config.problems).toEqual([])
    expect((config.action.error as ApiError).status).toBe(409)
    expect(config.revision).toBe(3)
  })

  it('tests routing with labels typed as name=value, and says what is not a label', async () => {
    const { client } = fakeApi()
    const config = new AlertingConfigState('1', client)
    await config.testRoutes('severity="critical", project=2')
    expect(config.routes).toEqual([{ id: '0.0', receiver: 'pager', groupBy: ['alertname'] }])
    await config.testRoutes('severity')
    expect(config.routes).toBeNull()
    expect((config.tester.error as Error).message).toMatch(/“severity” is not a label/)
    expect(parseLabels('a=1\nb: two')).toEqual({ a: '1', b: 'two' })
  })

  it('previews a rule written as JSON, and names a JSON mistake', async () => {
    const { client } = fakeApi()
    const config = new AlertingConfigState('1', client)
    await config.previewRule('{"name": "new-errors", "kind": "issue"}')
    expect(config.rulePreview).toMatchObject({ rule: 'new-errors', fired: 2 })
    await config.previewRule('{name')
    expect(config.rulePreview).toBeNull()
    expect((config.ruleAction.error as Error).message).toMatch(/not valid JSON/)
  })
})

describe('SilencesState', () => {
  it('creates a silence from matchers one a line for some hours, and expires it', async () => {
    const { client } = fakeApi()
    const silences = new SilencesState('1', client)
    await silences.create('severity="critical"\n\n project="2" ', 2, 'deploy', 1_000)
    expect(silences.list.items).toMatchObject([{ matchers: ['severity="critical"', 'project="2"'], endsAt: 1_000 + 7_200_000, comment: 'deploy' }])
    await silences.expire('s0')
    expect(silences.list.items[0]?.endsAt).toBe(0)
    expect(silences.list.notice).toBe('Silence expired')
  })
})
