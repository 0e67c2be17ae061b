import adapter from '@sveltejs/adapter-static'
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte'

/**
 * A single-page app: every route renders in the browser, and `index.html` is the fallback the
 * API role serves for any dashboard URL, so deep links survive a reload.
 */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', precompress: true, strict: true }),
    // Hashes of the inline bootstrap script go into a CSP meta tag: no other script runs.
    csp: { mode: 'hash', directives: { 'default-src': ['self'], 'script-src': ['self'], 'style-src': ['self', 'unsafe-inline'], 'img-src': ['self', 'data:'], 'object-src': ['none'], 'base-uri': ['self'], 'form-action': ['self'] } },
    appDir: '_app',
    // Shared with the server: its view types (type-only imports) and data such as the audit action names.
    alias: { '$server/api': '../api/src', '$server/core': '../core/src', '$server/processor': '../processor/src' },
    output: { bundleStrategy: 'split' },
  },
}
