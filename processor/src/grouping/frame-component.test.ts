import { describe, expect, it } from 'vitest'
import { normalizeFilename, stripBuildMarkers, trimFunctionName } from './index'

describe('normalizeFilename', () => {
  it.each([
    ['https://cdn.example.com/static/js/app.3f9a1b.js', 'app.<hash>.js'],
    ['https://cdn.example.com/static/js/main.8d7f2c1a.chunk.js?v=12#x', 'main.<hash>.chunk.js'],
    ['https://cdn.example.com/assets/index-B7kQ2x9Z.js', 'index-<hash>.js'],
    ['/srv/app/dist/vendor~main.a1b2c3d4e5.js', 'vendor~main.<hash>.js'],
    ['https://code.jquery.com/jquery-3.6.0.min.js', 'jquery-<version>.min.js'],
    ['webpack:///./src/components/Cart.tsx', 'cart.tsx'],
    ['file:///Users/dev/app/src/index.js', 'index.js'],
    ['C:\\app\\src\\Service.js', 'service.js'],
    ['/srv/app/src/order-service.js', 'order-service.js'],
    ['/srv/app/src/facade.js', 'facade.js'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeFilename(input)).toBe(expected)
  })

  it('strips hashes from node module names derived from bundle files', () => {
    expect(stripBuildMarkers('dist:main.3f9a1b')).toBe('dist:main.<hash>')
    expect(stripBuildMarkers('src.services:order-service')).toBe('src.services:order-service')
  })
})

describe('trimFunctionName', () => {
  it.each([
    ['Object.<anonymous>', '<anonymous>'],
    ['Object.?', '?'],
    ['Module._compile', '_compile'],
    ['OrderService.getTotal', 'getTotal'],
    ['async OrderService.loadOrder', 'loadOrder'],
    ['new UserRepository', 'UserRepository'],
    ['Function.executeUserEntryPoint [as runMain]', 'executeUserEntryPoint'],
    ['process.processTicksAndRejections', 'processTicksAndRejections'],
    ['handleCheckout', 'handleCheckout'],
  ])('%s → %s', (input, expected) => {
    expect(trimFunctionName(input)).toBe(expected)
  })
})
