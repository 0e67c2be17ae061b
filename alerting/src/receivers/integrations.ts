/** Builds the integrations of every receiver of a configuration. */
import type { AlertingConfig } from '../config'
import type { Integration } from '../notify/notification'
import { emailIntegration, type MailDeps } from './email'
import type { SecretLookup } from './secrets'
import { slackIntegration } from './slack'
import { webhookIntegration } from './webhook'

export function buildIntegrations(config: AlertingConfig, secrets: SecretLookup, mail: MailDeps): Map<string, Integration[]> {
  return new Map(
    config.receivers.map((receiver) => [
      receiver.name,
      [
        ...receiver.slack_configs.map((c, i) => slackIntegration(`${receiver.name}/slack/${i}`, c, secrets)),
        ...receiver.email_configs.map((c, i) => emailIntegration(`${receiver.name}/email/${i}`, c, secrets, mail)),
        ...receiver.webhook_configs.map((c, i) => webhookIntegration(`${receiver.name}/webhook/${i}`, c, secrets)),
      ],
    ]),
  )
}
