import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vite'

// During `npm run dev -w @faultline/dashboard`, API calls go to a Faultline on FAULTLINE_URL.
export default defineConfig({
  plugins: [sveltekit()],
  server: { proxy: { '/api': process.env.FAULTLINE_URL ?? 'http://127.0.0.1:8080' } },
  build: { chunkSizeWarningLimit: 200, reportCompressedSize: false },
})
