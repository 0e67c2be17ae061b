/** Builds the integrations of every receiver of a configuration. */
import type { Cache } from '@faultline/core/ports'
import type { AlertingConfig } from '../config'
import type { Integration } from '../notify/notification'
import { emailIntegration } from './email'
import type { SecretLookup } from './secrets'
import { slackIntegration } from './slack'
import { webhookIntegration } from './webhook'

export function buildIntegrations(config: AlertingConfig, secrets: SecretLookup, cache: Cache): Map<string, Integration[]> {
  return new Map(
    config.receivers.map((receiver) => [
      receiver.name,
      [
        ...receiver.slack_configs.map((c, i) => slackIntegration(`${receiver.name}/slack/${i}`, c, secrets)),
        ...receiver.email_configs.map((c, i) => emailIntegration(`${receiver.name}/email/${i}`, c, secrets, cache)),
        ...receiver.webhook_configs.map((c, i) => webhookIntegration(`${receiver.name}/webhook/${i}`, c, secrets)),
      ],
    ]),
  )
}
