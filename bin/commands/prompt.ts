/** Questions on the terminal for interactive commands; a secret's answer is not echoed. */
import { createInterface } from 'node:readline/promises'
import { Writable } from 'node:stream'

export interface Prompter {
  ask(question: string, fallback?: string): Promise<string>
  askSecret(question: string): Promise<string>
  close(): void
}

export function terminalPrompter(): Prompter {
  let muted = false
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stdout.write(chunk)
      callback()
    },
  })
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true })
  return {
    async ask(question, fallback) {
      const answer = (await rl.question(`${question}${fallback !== undefined ? ` [${fallback}]` : ''}: `)).trim()
      return answer || fallback || ''
    },
    async askSecret(question) {
      process.stdout.write(`${question}: `)
      muted = true
      try {
        return await rl.question('')
      } finally {
        muted = false
        process.stdout.write('\n')
      }
    },
    close: () => rl.close(),
  }
}
