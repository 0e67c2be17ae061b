/**
 * What the security timeline API answers, as the security pages read it: the server's own types
 * (type-only imports, erased from the bundle), with JSON's view of them where they differ.
 */
import type { SecurityEvent } from '$server/core/security/security-event'
import type { Detection } from '$server/core/detections/engine'
import type { TimelineRow, securityHistogram } from '$server/api/services/security-timeline'
import type { Pivot, PivotField } from '$server/api/services/security-pivot'
import type { Investigation, InvestigationChange, SavedSearch as StoredSavedSearch } from '$server/api/services/security-investigations'
import type { BacktestResult, ruleView } from '$server/api/services/security-rules'
import type { SecurityEventDetail, SecurityEventLink } from '$server/api/services/security-event-detail'
import type { FieldValues as SecurityFieldValues } from '$server/api/services/security-field-values'

export type { BacktestResult, Investigation, InvestigationChange, PivotField, SecurityEvent, SecurityEventDetail, SecurityEventLink, SecurityFieldValues, TimelineRow }
export type SecurityPivot = Pivot
export type SavedSearch = Omit<StoredSavedSearch, 'projectId'>
export type DetectionRuleView = ReturnType<typeof ruleView>
export type DetectionView = Detection & { projectId: string }
export type SecurityHistogram = Awaited<ReturnType<typeof securityHistogram>>
export type HistogramBucket = SecurityHistogram['buckets'][number]

export interface SecuritySearchResult {
  data: TimelineRow[]
  nextCursor: string | null
  histogram?: SecurityHistogram
}

export interface SecuritySearchBody {
  query: string
  startDate: number
  endDate: number
  columns?: string[]
  histogram?: boolean
  cursor?: string
  limit?: number
}
