/**
 * The alerting configuration as code: the YAML text against the revision it was read at, a
 * preview (what would change), an apply (refused by line, or by a newer revision), the routing
 * tester (labels → receivers) and a rule's 7-day preview.
 */
import { alertingApi, ConfigInvalidError, type AlertingClient, type ConfigDiff, type ConfigProblem, type RouteMatch, type RulePreview } from '$lib/api/alerting'
import { FormAction } from './form-action.svelte'

export type ConfigClient = Pick<AlertingClient, 'config' | 'testRoutes' | 'previewRule'>

/** `name=value` (or `name: value`) per line or comma; a line without either is a mistake to show. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const part of text.split(/[\n,]/)) {
    const item = part.trim()
    if (!item) continue
    const match = /^([^=:\s]+)\s*[=:]\s*"?(.*?)"?$/.exec(item)
    if (!match) throw new Error(`“${item}” is not a label: write name=value`)
    labels[match[1]!] = match[2]!
  }
  return labels
}

export class AlertingConfigState {
  yaml = $state('')
  revision = $state(0)
  loading = $state(true)
  error = $state<unknown>(null)
  diff = $state.raw<ConfigDiff | null>(null)
  problems = $state.raw<ConfigProblem[]>([])
  routes = $state.raw<RouteMatch[] | null>(null)
  rulePreview = $state.raw<RulePreview | null>(null)
  readonly action = new FormAction()
  readonly tester = new FormAction()
  readonly ruleAction = new FormAction()
  readonly #orgId: string
  readonly #client: ConfigClient

  constructor(orgId: string, client: ConfigClient = alertingApi) {
    this.#orgId = orgId
    this.#client = client
  }

  async load(): Promise<void> {
    this.loading = true
    try {
      const exported = await this.#client.config.get(this.#orgId)
      this.yaml = exported.yaml
      this.revision = exported.revision
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  preview(): Promise<unknown> {
    return this.#send(async () => {
      this.diff = (await this.#client.config.preview(this.#orgId, this.yaml)).diff
    }, 'The configuration is valid')
  }

  /** Applies the text against the revision it was read at; a newer revision is refused (409). */
  apply(): Promise<unknown> {
    return this.#send(async () => {
      const applied = await this.#client.config.apply(this.#orgId, this.yaml, this.revision)
      this.revision = applied.revision
      this.diff = applied.diff
    }, 'Applied')
  }

  testRoutes(labelsText: string): Promise<unknown> {
    return this.tester.run(async () => {
      this.routes = null
      this.routes = (await this.#client.testRoutes(this.#orgId, parseLabels(labelsText))).routes
    })
  }

  /** Replays a rule (JSON, the fields of a `rules:` entry) over the last 7 days. */
  previewRule(ruleJson: string): Promise<unknown> {
    return this.ruleAction.run(async () => {
      this.rulePreview = null
      let rule: unknown
      try {
        rule = JSON.parse(ruleJson)
      } catch (error) {
        throw new Error(`The rule is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
      }
      this.rulePreview = await this.#client.previewRule(this.#orgId, rule)
    })
  }

  #send(run: () => Promise<void>, notice: string): Promise<unknown> {
    return this.action.run(async () => {
      this.problems = []
      this.diff = null
      try {
        await run()
      } catch (error) {
        if (error instanceof ConfigInvalidError) this.problems = error.problems
        throw error
      }
    }, notice)
  }
}
