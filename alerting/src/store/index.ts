import type { MetadataStore } from '@faultline/core/ports'
import { AlertGroupStore } from './alert-group-store'
import { AlertStore } from './alert-store'
import { ConfigStore } from './config-store'
import { NotificationLog } from './notification-log'
import { SilenceStore } from './silence-store'
import { UnsubscribeStore } from './unsubscribe-store'
import { IcalFeedStore } from './ical-feed-store'
import { IncidentStore } from '../incidents/incident-store'

export { AlertGroupStates, AlertGroupStore, type AlertGroupDoc, type AlertGroupState, type GroupObservation } from './alert-group-store'
export { AlertStore } from './alert-store'
export { ConfigStore, type ApplyResult, type ConfigDoc } from './config-store'
export { NotificationLog, type Claim, type LogEntry } from './notification-log'
export { SilenceStore, type SilenceDoc } from './silence-store'
export { UnsubscribeStore } from './unsubscribe-store'
export { IcalFeedStore } from './ical-feed-store'

export interface AlertingStores {
  configs: ConfigStore
  alerts: AlertStore
  log: NotificationLog
  silences: SilenceStore
  groups: AlertGroupStore
  incidents: IncidentStore
  unsubscriptions: UnsubscribeStore
  icalFeeds: IcalFeedStore
}

export async function openAlertingStores(metadata: MetadataStore): Promise<AlertingStores> {
  return {
    configs: await ConfigStore.open(metadata),
    alerts: await AlertStore.open(metadata),
    log: await NotificationLog.open(metadata),
    silences: await SilenceStore.open(metadata),
    groups: await AlertGroupStore.open(metadata),
    incidents: await IncidentStore.open(metadata),
    unsubscriptions: await UnsubscribeStore.open(metadata),
    icalFeeds: await IcalFeedStore.open(metadata),
  }
}
