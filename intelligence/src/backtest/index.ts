export { BacktestError, backtestSeries, parseSeriesCsv } from './backtest'
export type { BacktestResult } from './backtest'
