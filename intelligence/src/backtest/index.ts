export { BacktestError, backtestSeries, parseSeriesCsv } from './backtest'
export type { BacktestResult, SeriesPoint } from './backtest'
