import { readFile } from 'node:fs/promises'
import { BacktestError, backtestSeries, loadAnomalyCombiner, type Sensitivity } from '@faultline/intelligence'
import type { Command } from './command'

function parseSensitivity(text: string | undefined): Sensitivity | undefined {
  if (text === 'low' || text === 'medium' || text === 'high') return text
  const n = Number(text)
  return text !== undefined && text !== '' && n >= 0 && n <= 1 ? n : undefined
}

/** Resolves once `text` has reached stdout: a pipe is written asynchronously, and exiting before would cut it. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())))
}

export const backtestCommand: Command = {
  usage: `backtest FILE.csv [--sensitivity low|medium|high|0..1]
                         score every point of a timestamp,value CSV with the streaming
                         anomaly detector and ONNX combiner the live job runs; prints scores
                         and windows as JSON`,
  async run(args) {
    const files: string[] = []
    let sensitivity: Sensitivity = 'medium'
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      if (arg === '--sensitivity' || arg.startsWith('--sensitivity=')) {
        const parsed = parseSensitivity(arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i])
        if (parsed === undefined) {
          console.error('--sensitivity takes low, medium, high or a number from 0 to 1')
          return 2
        }
        sensitivity = parsed
      } else files.push(arg)
    }
    if (files.length !== 1) {
      console.error('usage: faultline backtest FILE.csv [--sensitivity low|medium|high|0..1]')
      return 2
    }
    const csv = await readFile(files[0]!, 'utf8')
    let result
    try {
      result = await backtestSeries(csv, await loadAnomalyCombiner(), sensitivity)
    } catch (error) {
      if (!(error instanceof BacktestError)) throw error
      console.error(`${files[0]}: ${error.message}`)
      return 1
    }
    await writeOut(`${JSON.stringify(result, null, 2)}\n`)
    return 0
  },
}
