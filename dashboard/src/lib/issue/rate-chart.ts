/** uPlot drawing of an issue's rate (see RateChart.svelte); a separate module so uPlot loads only with the chart. */
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { IssueRate } from '$lib/api'

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

export function drawRateChart(target: HTMLElement, rate: IssueRate): uPlot {
  const history = rate.points.map((p) => Date.parse(p.time) / 1000)
  const ahead = (rate.forecast ?? []).map((p) => Date.parse(p.time ?? '') / 1000).filter((t) => t > (history.at(-1) ?? 0))
  const times = [...history, ...ahead]
  const pad = <T>(values: T[], before: number, after: number) => [...Array<null>(before).fill(null), ...values, ...Array<null>(after).fill(null)]
  const forecast = (rate.forecast ?? []).slice(-ahead.length || undefined)
  const events = pad(rate.points.map((p) => p.events), 0, ahead.length)
  const marks = pad(rate.points.map((p) => (p.anomalous ? p.events : null)), 0, ahead.length)
  const band = (key: 'value' | 'lower' | 'upper') => pad(ahead.length > 0 ? forecast.map((p) => p[key]) : [], history.length, 0)
  const line = css('--chart-line')
  const data: uPlot.AlignedData = [times, events, marks, band('value'), band('lower'), band('upper')]
  const options: uPlot.Options = {
    width: Math.max(240, target.clientWidth),
    height: 160,
    cursor: { drag: { x: true, y: false } },
    legend: { show: false },
    axes: [
      { stroke: css('--text-muted'), grid: { stroke: css('--border'), width: 1 } },
      { stroke: css('--text-muted'), grid: { stroke: css('--border'), width: 1 }, size: 40 },
    ],
    series: [
      {},
      { label: 'Events', stroke: line, fill: css('--chart-band'), paths: uPlot.paths.bars!({ size: [0.9, 8] }), points: { show: false } },
      { label: 'Anomalous', stroke: css('--chart-anomaly'), paths: () => null, points: { show: true, size: 8, fill: css('--chart-anomaly') } },
      { label: 'Forecast', stroke: line, dash: [4, 4], points: { show: false } },
      { label: 'Lower 95 %', stroke: 'transparent', points: { show: false } },
      { label: 'Upper 95 %', stroke: 'transparent', points: { show: false } },
    ],
    bands: [{ series: [5, 4], fill: css('--chart-band') }],
  }
  return new uPlot(options, data, target)
}
