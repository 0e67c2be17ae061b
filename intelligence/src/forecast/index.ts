export { holtWintersForecast, thresholdCrossing } from './holt-winters'
export type { Forecast, ForecastOptions, ForecastPoint, ThresholdCrossing } from './holt-winters'
