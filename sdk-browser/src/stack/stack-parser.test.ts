import { describe, expect, it } from 'vitest'
import { browserStackParser } from './stack-parser'

// Stack strings as each engine prints them for the same page (app.js calling a vendor bundle).
const chrome = `TypeError: Cannot read properties of undefined (reading 'id')
    at getId (https://shop.example.com/static/app.js:10:15)
    at HTMLButtonElement.onClick (https://shop.example.com/static/app.js:42:7)
    at async save (https://shop.example.com/static/app.js:50:3)
    at new Cart (https://shop.example.com/static/app.js:60:9)
    at Array.forEach (<anonymous>)
    at eval (eval at render (https://shop.example.com/static/vendor.js:3:100), <anonymous>:1:5)
    at https://shop.example.com/node_modules/lib/index.js:1:2`

const firefox = `getId@https://shop.example.com/static/app.js:10:15
onClick@https://shop.example.com/static/app.js:42:7
async*save@https://shop.example.com/static/app.js:50:3
Cart/<@https://shop.example.com/static/app.js:60:9
render@https://shop.example.com/static/vendor.js line 3 > eval:1:5
@https://shop.example.com/static/app.js:70:1`

const safari = `getId@https://shop.example.com/static/app.js:10:15
onClick@https://shop.example.com/static/app.js:42:7
forEach@[native code]
global code@https://shop.example.com/static/app.js:70:1
eval code@
module code@https://shop.example.com/static/app.js:80:2`

describe('browserStackParser', () => {
  it('parses Chrome', () => {
    const frames = browserStackParser(chrome).reverse()
    expect(frames.map((f) => f.function)).toEqual(['getId', 'HTMLButtonElement.onClick', 'save', 'new Cart', 'Array.forEach', 'eval', '?'])
    expect(frames[0]).toMatchObject({ filename: 'https://shop.example.com/static/app.js', lineno: 10, colno: 15, in_app: true })
    expect(frames[4]).toMatchObject({ filename: '<anonymous>', in_app: false })
    expect(frames[5]).toMatchObject({ filename: 'https://shop.example.com/static/vendor.js', lineno: 3, colno: 100 })
    expect(frames[6]!.in_app).toBe(false)
  })

  it('parses Firefox', () => {
    const frames = browserStackParser(firefox).reverse()
    expect(frames.map((f) => f.function)).toEqual(['getId', 'onClick', 'save', 'Cart/<', 'render', '?'])
    expect(frames[0]).toMatchObject({ filename: 'https://shop.example.com/static/app.js', lineno: 10, colno: 15 })
    expect(frames[4]).toMatchObject({ filename: 'https://shop.example.com/static/vendor.js', lineno: 3 })
    expect(frames[5]).toMatchObject({ lineno: 70, colno: 1 })
  })

  it('parses Safari', () => {
    const frames = browserStackParser(safari).reverse()
    expect(frames.map((f) => f.function)).toEqual(['getId', 'onClick', 'forEach', 'global code', 'module code'])
    expect(frames[2]).toMatchObject({ filename: '[native code]', in_app: false })
    expect(frames[4]).toMatchObject({ lineno: 80, colno: 2 })
  })

  it('orders frames oldest first', () => {
    const frames = browserStackParser(chrome)
    expect(frames.at(-1)!.function).toBe('getId')
  })
})
