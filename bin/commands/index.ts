import { backtestCommand } from './backtest'
import type { Command } from './command'
import { migrateCommand } from './migrate'
import { projectCommand } from './project'
import { retentionCommand } from './retention'
import { runCommand } from './run'
import { secretsCommand } from './secrets'
import { tokenCommand } from './token'

export type { Command } from './command'

/** Every command by its first word; `faultline help` lists them in this order. */
export const commands: Record<string, Command> = {
  run: runCommand,
  project: projectCommand,
  token: tokenCommand,
  migrate: migrateCommand,
  secrets: secretsCommand,
  retention: retentionCommand,
  backtest: backtestCommand,
}
