/** The ingest tier as a hono app: CORS for browsers, then the Sentry endpoints. */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Platform } from '@faultline/core/platform'
import { openOutcomes, OutcomeRecorder } from '@faultline/core/outcomes'
import type { ReadinessCheck } from '@faultline/core/http'
import { ProjectOrganizations } from '@faultline/core/projects'
import { PrivacySettingsStore } from '@faultline/core/privacy'
import { ProjectScrubbers } from './scrub'
import { BacklogGuard } from './services/backpressure'
import { IngestService } from './services/ingest-service'
import { openProjectKeyCache } from './services/project-keys'
import { SubmissionAuth } from './services/submission-auth'
import { sentryRoutes } from './routes/sentry'
import { securityRoutes } from './routes/security'
import { SecurityIntake } from './security'

export interface IngestTier {
  app: Hono
  /** Undefined while ingest can accept events, else why it cannot (for /readyz). */
  readiness: ReadinessCheck
  close(): Promise<void>
}

export async function createIngestTier(platform: Platform): Promise<IngestTier> {
  const { config, logger, metrics } = platform
  const organizations = new ProjectOrganizations(platform.projects.projects)
  const outcomes = new OutcomeRecorder(await openOutcomes(platform.metadata), organizations, logger.child({ component: 'outcomes' }))
  const scrubbers = await ProjectScrubbers.open({
    settings: await PrivacySettingsStore.open(platform.metadata, { scrubIpAddresses: config.scrub.scrubIpAddresses }),
    organizations,
    secrets: platform.secrets,
    cache: platform.cache,
    logger: logger.child({ component: 'scrub' }),
  })
  const backlog = new BacklogGuard(platform.bus, config.bus.maxBacklog, logger)
  const service = new IngestService({
    platform,
    outcomes,
    backlog,
    scrubbers,
    eventsCounter: metrics.counter('faultline_ingest_events_total', 'Error events received by ingest, by outcome'),
  })
  const security = new SecurityIntake({ platform, outcomes, backlog, scrubbers, eventsCounter: metrics.counter('faultline_ingest_security_events_total', 'Security events received by ingest, by outcome') })
  const app = new Hono()
  const browserCors = cors({
    origin: '*',
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['content-type', 'content-encoding', 'x-sentry-auth', 'authorization', 'sentry-trace', 'baggage'],
    exposeHeaders: ['retry-after', 'x-sentry-rate-limits'],
    maxAge: 3600,
  })
  // Browsers send Origin on every cross-origin request and only they read CORS headers; setting
  // them on a server SDK's request would cost a full Response object per event for nothing.
  // The REST API under /api/v1 has its own, configured CORS policy (API_CORS_ORIGINS).
  app.use('/api/*', (c, next) => (c.req.header('origin') === undefined || c.req.path.startsWith('/api/v1/') ? next() : browserCors(c, next)))
  const keys = await openProjectKeyCache(platform)
  const auth = new SubmissionAuth(keys)
  app.route('/', sentryRoutes({ config, auth, service, security }))
  app.route('/', securityRoutes({ config, auth, security }))
  const readiness: ReadinessCheck = async () => ((await service.ready()) ? undefined : `the bus backlog is at BUS_MAX_BACKLOG (${config.bus.maxBacklog}); events are refused until processors catch up`)
  return {
    app,
    readiness,
    close: async () => {
      await scrubbers.close()
      await outcomes.close()
      await keys.close()
    },
  }
}
