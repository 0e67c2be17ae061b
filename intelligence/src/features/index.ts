export { anomalyFeatureCount, anomalyFeatureNames, defaultFeatureOptions, latestFeatures, seriesFeatures } from './series-features'
export type { AnomalyFeatureName, FeatureOptions } from './series-features'
