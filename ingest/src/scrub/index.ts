export { createScrubber, scrubberFromSettings, type Scrubber, type ScrubberConfig, type ScrubResult } from './scrubber'
export { ItemKinds, type ItemKind } from './item-kinds'
export { ProjectScrubbers, type ProjectScrubbersDeps } from './project-scrubbers'
