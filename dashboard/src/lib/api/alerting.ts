/**
 * Typed calls to the alerting API (issue 14), kept beside the main client so the alerting pages
 * stay one area; every call goes through the same `request()`. A configuration the API refuses
 * (422) keeps every problem of the answer's `problems` extension, with its line.
 */
import { alertingEndpoints } from './alerting-endpoints'
import { ApiError, request, type RequestOptions } from './http'
import type { Endpoint } from './endpoints'
import type {
  AlertGroup,
  AlertGroupStateName,
  ConfigDiff,
  ConfigProblem,
  Incident,
  IncidentDetail,
  IncidentSeverityName,
  IncidentStatusName,
  OnCall,
  RouteMatch,
  RulePreview,
  Silence,
} from './alerting-types'

const e = alertingEndpoints

/** A configuration refused with its problems, each with its line. */
export class ConfigInvalidError extends ApiError {
  readonly problems: ConfigProblem[]

  constructor(error: ApiError, problems: ConfigProblem[]) {
    super(error.status, error.title, error.message)
    this.name = 'ConfigInvalidError'
    this.problems = problems
  }
}

/** Sends a configuration; a 422 answer becomes a `ConfigInvalidError` carrying all its problems. */
async function sendConfig<T>(endpoint: Endpoint, options: RequestOptions): Promise<T> {
  let problems: ConfigProblem[] = []
  const reading: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    if (response.status === 422) problems = ((await response.clone().json().catch(() => ({}))) as { problems?: ConfigProblem[] }).problems ?? []
    return response
  }
  try {
    return await request<T>(endpoint, options, reading)
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) throw new ConfigInvalidError(error, problems)
    throw error
  }
}

export const alertingApi = {
  config: {
    get: (orgId: string) => request<{ revision: number; yaml: string }>(e.config, { params: { orgId } }),
    preview: (orgId: string, yaml: string) => sendConfig<{ valid: true; diff: ConfigDiff }>(e.previewConfig, { params: { orgId }, body: { yaml } }),
    apply: (orgId: string, yaml: string, revision: number) => sendConfig<{ revision: number; diff: ConfigDiff }>(e.applyConfig, { params: { orgId }, query: { revision }, body: { yaml } }),
  },
  previewRule: (orgId: string, rule: unknown) => request<RulePreview>(e.previewRule, { params: { orgId }, body: { rule } }),
  testRoutes: (orgId: string, labels: Record<string, string>) => request<{ routes: RouteMatch[] }>(e.testRoutes, { params: { orgId }, body: { labels } }),
  silences: {
    list: (orgId: string) => request<{ data: Silence[] }>(e.silences, { params: { orgId } }),
    create: (orgId: string, silence: { matchers: string[]; endsAt: number; comment: string }) => request<Silence>(e.createSilence, { params: { orgId }, body: silence }),
    expire: (orgId: string, id: string) => request<Silence>(e.expireSilence, { params: { orgId, id } }),
  },
  groups: {
    list: (orgId: string, state?: AlertGroupStateName) => request<{ data: AlertGroup[] }>(e.groups, { params: { orgId }, query: { state, limit: 200 } }),
    get: (orgId: string, id: string) => request<AlertGroup>(e.group, { params: { orgId, id } }),
    acknowledge: (orgId: string, id: string) => request<AlertGroup>(e.acknowledgeGroup, { params: { orgId, id } }),
    resolve: (orgId: string, id: string) => request<AlertGroup>(e.resolveGroup, { params: { orgId, id } }),
    silence: (orgId: string, id: string, minutes: number) => request<Silence>(e.silenceGroup, { params: { orgId, id }, body: { minutes } }),
  },
  schedules: {
    onCall: (orgId: string, name: string) => request<OnCall>(e.onCall, { params: { orgId, name } }),
    newFeed: (orgId: string, name: string) => request<{ schedule: string; url: string }>(e.icalFeed, { params: { orgId, name } }),
  },
  incidents: {
    list: (orgId: string, status?: IncidentStatusName) => request<{ data: Incident[] }>(e.incidents, { params: { orgId }, query: { status, limit: 200 } }),
    declare: (orgId: string, body: { title: string; severity: IncidentSeverityName; commander?: string; groupId?: string }) => request<Incident>(e.declareIncident, { params: { orgId }, body }),
    get: (orgId: string, id: string) => request<IncidentDetail>(e.incident, { params: { orgId, id } }),
    setStatus: (orgId: string, id: string, status: IncidentStatusName, message: string) => request<Incident>(e.incidentStatus, { params: { orgId, id }, body: { status, message } }),
    addNote: (orgId: string, id: string, text: string) => request<unknown>(e.incidentNote, { params: { orgId, id }, body: { text } }),
    addResponder: (orgId: string, id: string, name: string) => request<Incident>(e.incidentResponder, { params: { orgId, id }, body: { name, role: 'responder' } }),
  },
}

export { alertingEndpoints }
export { alertGroupStates, incidentSeverities, incidentStatuses } from './alerting-types'
export type AlertingClient = typeof alertingApi
export type * from './alerting-types'
