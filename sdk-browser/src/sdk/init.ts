import { Client, getClient, logger, setCurrentClient, type ClientOptions, type Event } from '@faultline/sdk-core'
import { browserStackParser } from '../stack'
import { makeFetchRequest } from '../transport'
import { instrumentBreadcrumbs, instrumentBrowserApis, instrumentGlobalHandlers, type BreadcrumbOptions } from '../integrations'

export const sdkName = 'faultline.browser'
export const sdkVersion = '0.1.0'

export interface BrowserOptions extends ClientOptions {
  /** Breadcrumb sources; each on by default. `false` turns them all off. */
  breadcrumbs?: boolean | BreadcrumbOptions
  /** window `error` / `unhandledrejection`. Default true. */
  globalHandlers?: boolean
  /** Wrap timers, animation frames and listeners for full stacks. Default true. */
  wrapBrowserApis?: boolean
}

function pageContext(event: Event): Event {
  if (typeof location === 'undefined') return event
  const headers: Record<string, string> = {}
  if (typeof navigator !== 'undefined') headers['User-Agent'] = navigator.userAgent
  if (typeof document !== 'undefined' && document.referrer) headers.Referer = document.referrer
  return { ...event, request: { ...event.request, url: location.href, headers: { ...headers, ...event.request?.headers } } }
}

/** Starts the SDK in the page. Calling it again replaces the previous client. Never throws. */
export function init(options: BrowserOptions = {}): Client | undefined {
  try {
    const previous = getClient()
    if (previous) void previous.close(0)
    const client = new Client(options, {
      sdk: { name: sdkName, version: sdkVersion, packages: [{ name: 'npm:@faultline/sdk-browser', version: sdkVersion }] },
      platform: 'javascript',
      stackParser: browserStackParser,
      makeRequest: (url) => makeFetchRequest(url),
      autoIpAddress: true,
    })
    client.addEventProcessor(pageContext)
    setCurrentClient(client)
    if (!client.enabled) return client
    const ingestOrigin = client.dsn ? `${client.dsn.protocol}://${client.dsn.host}` : ''
    const isSdkUrl = (url: string): boolean => url.includes('/envelope/') && url.includes('sentry_key=') && url.includes(ingestOrigin)
    if (options.globalHandlers !== false) client.onClose(instrumentGlobalHandlers())
    if (options.wrapBrowserApis !== false) client.onClose(instrumentBrowserApis())
    if (options.breadcrumbs !== false) client.onClose(instrumentBreadcrumbs(typeof options.breadcrumbs === 'object' ? options.breadcrumbs : {}, isSdkUrl))
    if (typeof document !== 'undefined') {
      // Hidden is the last reliable moment: report pending drop counts while beacons still work.
      const onHidden = (): void => {
        if (document.visibilityState === 'hidden') void client.flush(0)
      }
      document.addEventListener('visibilitychange', onHidden)
      client.onClose(() => document.removeEventListener('visibilitychange', onHidden))
    }
    return client
  } catch (error) {
    logger.warn('init failed; SDK disabled', error)
    return undefined
  }
}
