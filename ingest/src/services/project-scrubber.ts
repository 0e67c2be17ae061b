import { describeError } from '@faultline/core/errors'
import { httpError } from '@faultline/core/http'
import type { Logger } from '@faultline/core/log'
import type { ProjectScrubbers, Scrubber } from '../scrub'
import { backpressureRetryAfterSeconds } from './backpressure'

/**
 * The project's scrubber, or a 503 asking the sender to retry: nothing is queued unscrubbed, so
 * without the project's rules (settings or hashing secret unreadable) events wait for a retry.
 */
export async function projectScrubber(scrubbers: Pick<ProjectScrubbers, 'forProject'>, logger: Logger, projectId: string): Promise<Scrubber> {
  try {
    return await scrubbers.forProject(projectId)
  } catch (error) {
    logger.error('loading the privacy rules of a project failed', { projectId, error: describeError(error) })
    throw httpError(503, 'Privacy settings could not be read; retry later', { 'retry-after': String(backpressureRetryAfterSeconds) })
  }
}
