import { TemplateMiner } from './template-miner'
import type { TemplateMatch, TemplateMinerOptions, TemplateMinerState } from './template-miner'

/**
 * One miner per project, so one tenant's messages never generalize another's templates.
 * Persisting is the caller's job: `snapshot()` after changes, `restore()` at start.
 */
export class TemplateRegistry {
  readonly #miners = new Map<string, TemplateMiner>()
  readonly #options: Partial<TemplateMinerOptions>

  constructor(options: Partial<TemplateMinerOptions> = {}) {
    this.#options = options
  }

  miner(projectId: string): TemplateMiner {
    let miner = this.#miners.get(projectId)
    if (!miner) {
      miner = new TemplateMiner(this.#options)
      this.#miners.set(projectId, miner)
    }
    return miner
  }

  add(projectId: string, message: string, now: number = Date.now()): TemplateMatch {
    return this.miner(projectId).add(message, now)
  }

  snapshot(projectId: string): TemplateMinerState | undefined {
    return this.#miners.get(projectId)?.toJSON()
  }

  restore(projectId: string, state: TemplateMinerState): TemplateMiner {
    return this.put(projectId, TemplateMiner.fromJSON(state, this.#options))
  }

  /** Makes `miner` the project's miner (one rebuilt from a snapshot and journal). */
  put(projectId: string, miner: TemplateMiner): TemplateMiner {
    this.#miners.set(projectId, miner)
    return miner
  }

  projects(): string[] {
    return [...this.#miners.keys()]
  }
}
