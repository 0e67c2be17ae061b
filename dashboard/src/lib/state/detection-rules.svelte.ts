/**
 * The detection rules of a project (the built-in pack and its own) and the detections they found:
 * turn a rule on or off, edit or write one in YAML (a 422's problems kept by line for the editor),
 * backtest YAML over stored events before saving it, remove a project rule (a built-in one of the
 * same id comes back).
 */
import type { BacktestResult, DetectionRuleView, DetectionView, SecurityClient } from '$lib/api/security'
import { securityApi } from '$lib/api/security'
import { ruleProblems, type RuleProblem } from '$lib/security/rules'
import { FormAction } from './form-action.svelte'
import { ResourceList } from './resource.svelte'

export type RulesClient = Pick<SecurityClient, 'rules' | 'detections'>

const day = 86_400_000

export class DetectionRulesState {
  readonly list: ResourceList<DetectionRuleView>
  /** Saving or backtesting the rule in the editor. */
  readonly editor = new FormAction()
  problems = $state.raw<RuleProblem[]>([])
  backtest = $state.raw<BacktestResult | null>(null)
  readonly #projectId: string
  readonly #client: RulesClient

  constructor(projectId: string, client: RulesClient = securityApi) {
    this.#projectId = projectId
    this.#client = client
    this.list = new ResourceList(async () => (await client.rules.list(projectId)).data)
  }

  setEnabled(rule: DetectionRuleView, enabled: boolean): Promise<unknown> {
    return this.list.change(() => this.#client.rules.switch(this.#projectId, rule.id, enabled), `${rule.name} ${enabled ? 'enabled' : 'disabled'}`)
  }

  remove(rule: DetectionRuleView): Promise<unknown> {
    return this.list.change(() => this.#client.rules.remove(this.#projectId, rule.id), `Removed the project's ${rule.name}`)
  }

  /** Saves YAML as the rule `ruleId`; answers whether it was saved (else `problems` says why, by line). */
  async save(ruleId: string, source: string): Promise<boolean> {
    this.problems = []
    const saved = await this.editor.run(() => this.#client.rules.save(this.#projectId, ruleId, source), `Saved ${ruleId}`)
    if (!saved) {
      this.problems = ruleProblems(this.editor.error)
      return false
    }
    await this.list.load()
    return true
  }

  /** Runs the YAML over the stored events of the last `days` days without storing anything. */
  async runBacktest(source: string, days: number, now = Date.now()): Promise<void> {
    this.problems = []
    this.backtest = null
    const result = await this.editor.run(() => this.#client.rules.backtest(this.#projectId, { source, startDate: now - days * day, endDate: now }))
    if (result) this.backtest = result
    else this.problems = ruleProblems(this.editor.error)
  }

  /** Forgets the last editor's outcome (a new rule is opened). */
  reset(): void {
    this.problems = []
    this.backtest = null
    this.editor.error = null
    this.editor.notice = null
  }
}

export class DetectionsState {
  days = $state(7)
  readonly list: ResourceList<DetectionView>

  constructor(projectId: string, client: Pick<RulesClient, 'detections'> = securityApi) {
    this.list = new ResourceList(async () => {
      const now = Date.now()
      return (await client.detections(projectId, { startDate: now - this.days * day, endDate: now })).data
    })
  }

  load(days = this.days): Promise<void> {
    this.days = days
    return this.list.load()
  }
}
