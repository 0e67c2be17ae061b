import { auditCommand } from './audit'
import { backtestCommand } from './backtest'
import { doctorCommand } from './doctor'
import { setupCommand } from './setup'
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
  setup: setupCommand,
  doctor: doctorCommand,
  project: projectCommand,
  token: tokenCommand,
  migrate: migrateCommand,
  secrets: secretsCommand,
  retention: retentionCommand,
  audit: auditCommand,
  backtest: backtestCommand,
}
