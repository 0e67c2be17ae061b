export { coSpikingIssues, overRepresentedTags, spikeStart, suspectRelease } from './root-cause'
export type { CoSpike, ReleaseCounts, SuspectRelease, TagCounts, TagHint } from './root-cause'
export { normalUpperTail, twoProportionZTest } from './statistics'
export type { ProportionTest } from './statistics'
