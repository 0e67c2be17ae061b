export { loadIntelligenceModels, sharedIntelligenceModels } from './intelligence-models'
export type { IntelligenceModels, ModelPaths } from './intelligence-models'
