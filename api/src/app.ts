/** The REST API tier: token auth in one middleware, then the resource routes under /api/v1. */
import { Hono } from 'hono'
import type { Platform } from '@faultline/core/platform'
import { openOutcomes } from '@faultline/core/outcomes'
import { tokenAuth, type AuthEnv } from './middleware/token-auth'
import { issueRoutes } from './routes/issues'
import { projectRoutes } from './routes/projects'
import { deadLetterRoutes } from './routes/dead-letters'
import { patternRoutes } from './routes/patterns'
import { intelligenceRoutes } from './routes/intelligence'
import { openApiDocument } from './openapi'
import { PrivacySettingsStore } from '@faultline/core/privacy'
import { privacyRoutes } from './routes/privacy'
import { ErasureService } from './services/privacy-erasure'

export async function createApiTier(platform: Platform, publicUrl: string): Promise<{ app: Hono }> {
  const outcomes = await openOutcomes(platform.metadata)
  const privacySettings = await PrivacySettingsStore.open(platform.metadata, { scrubIpAddresses: platform.config.scrub.scrubIpAddresses })
  const erasures = await ErasureService.open(platform)
  await erasures.resume()
  const v1 = new Hono<AuthEnv>()
  v1.get('/openapi.json', (c) => c.json(openApiDocument(publicUrl)))
  v1.use('*', tokenAuth(platform.projects))
  v1.route('/', issueRoutes(platform))
  v1.route('/', projectRoutes(platform, outcomes, publicUrl))
  v1.route('/', deadLetterRoutes(platform))
  v1.route('/', patternRoutes(platform))
  v1.route('/', intelligenceRoutes(platform))
  v1.route('/', privacyRoutes(platform, privacySettings, erasures))
  const app = new Hono()
  app.route('/api/v1', v1)
  return { app }
}
