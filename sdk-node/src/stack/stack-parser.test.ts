import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { nodeStackParser, parseV8Line } from './stack-parser'

describe('parseV8Line', () => {
  it.each([
    ['    at handler (/srv/app/src/routes.ts:10:5)', { function: 'handler', filename: '/srv/app/src/routes.ts', lineno: 10, colno: 5, in_app: true }],
    ['    at /srv/app/index.js:3:9', { function: '?', filename: '/srv/app/index.js', lineno: 3, colno: 9, in_app: true }],
    ['    at async loadUser (/srv/app/users.js:44:13)', { function: 'loadUser', filename: '/srv/app/users.js', lineno: 44, in_app: true }],
    ['    at new Repository (/srv/app/repo.js:5:11)', { function: 'new Repository', lineno: 5 }],
    ['    at Object.<anonymous> (/srv/app/main.js:1:7)', { function: 'Object.<anonymous>' }],
    ['    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)', { function: 'Layer.handle', in_app: false, module: 'express' }],
    ['    at dispatch (/srv/app/node_modules/@hono/node-server/dist/index.js:1:2)', { module: '@hono/node-server', in_app: false }],
    ['    at file:///srv/app/esm.mjs:12:3', { filename: '/srv/app/esm.mjs', lineno: 12, colno: 3, in_app: true }],
    ['    at run (file:///srv/app/esm%20dir/a.mjs:2:1)', { function: 'run', filename: '/srv/app/esm dir/a.mjs' }],
    ['    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)', { filename: 'node:internal/process/task_queues', lineno: 95, in_app: false }],
    ['    at eval (eval at compile (/srv/app/tpl.js:20:11), <anonymous>:1:7)', { function: 'eval', filename: '/srv/app/tpl.js', lineno: 20, colno: 11 }],
    ['    at C:\\app\\win.js:7:2', { filename: 'C:\\app\\win.js', lineno: 7, in_app: true }],
    ['    at Generator.next (<anonymous>)', { function: 'Generator.next', filename: '<anonymous>', in_app: false }],
  ])('%s', (line, expected) => {
    expect(parseV8Line(line)).toMatchObject(expected)
  })

  it('keeps only frames, drops Promise.all index markers of their location', () => {
    expect(parseV8Line('Error: boom')).toBeUndefined()
    expect(parseV8Line('    at async Promise.all (index 0)')).toEqual({ function: 'Promise.all', in_app: false })
  })
})

describe('nodeStackParser', () => {
  it('parses a real stack, oldest frame first, crashing frame last', () => {
    function inner(): Error {
      return new Error('real')
    }
    const frames = nodeStackParser(inner().stack!)
    const top = frames[frames.length - 1]!
    expect(top.function).toBe('inner')
    expect(top.filename).toBe(fileURLToPath(import.meta.url))
    expect(top.in_app).toBe(true)
    expect(frames.some((f) => f.in_app === false)).toBe(true)
  })
})
