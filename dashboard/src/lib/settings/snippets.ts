/** Copy-paste setup for each SDK, with the key's DSN filled in; the project's platform picks the first shown. */
import type { ProjectPlatform } from '$lib/api'

export const platformOptions: { value: ProjectPlatform; label: string; snippet: string }[] = [
  { value: 'node', label: 'Node.js', snippet: 'sentry-node' },
  { value: 'browser', label: 'Browser JavaScript', snippet: 'sentry-browser' },
  { value: 'other', label: 'Other', snippet: 'sentry-node' },
]

export const snippetFor = (platform: ProjectPlatform | null | undefined) => platformOptions.find((p) => p.value === platform)?.snippet ?? 'sentry-node'

export interface Snippet {
  id: string
  label: string
  install: string
  code: string
}

export function sdkSnippets(dsn: string): Snippet[] {
  const quoted = JSON.stringify(dsn).replaceAll('"', "'")
  return [
    {
      id: 'sdk-node',
      label: 'Node (@faultline/sdk-node)',
      install: 'npm install @faultline/sdk-node',
      code: `import * as Faultline from '@faultline/sdk-node'\n\nFaultline.init({ dsn: ${quoted}, release: 'my-app@1.0.0', environment: 'production' })`,
    },
    {
      id: 'sdk-browser',
      label: 'Browser (@faultline/sdk-browser)',
      install: 'npm install @faultline/sdk-browser',
      code: `import * as Faultline from '@faultline/sdk-browser'\n\nFaultline.init({ dsn: ${quoted}, release: 'web@1.0.0', environment: 'production' })`,
    },
    {
      id: 'sentry-node',
      label: 'Node (unmodified @sentry/node)',
      install: 'npm install @sentry/node',
      code: `import * as Sentry from '@sentry/node'\n\nSentry.init({ dsn: ${quoted}, release: 'my-app@1.0.0', environment: 'production' })`,
    },
    {
      id: 'sentry-browser',
      label: 'Browser (unmodified @sentry/browser)',
      install: 'npm install @sentry/browser',
      code: `import * as Sentry from '@sentry/browser'\n\nSentry.init({ dsn: ${quoted}, release: 'web@1.0.0', environment: 'production' })`,
    },
  ]
}
