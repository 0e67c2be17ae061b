import type { Prng } from '../shared/prng'
import { createPrng } from '../shared/prng'
import type { ErrorSignature, SignatureFrame } from './signature'

export interface LabelledIssue {
  signature: ErrorSignature
  /** Issues with the same cause share a root failure (the label for precision@k). */
  cause: string
  service: string
}

interface CauseFamily {
  name: string
  types: string[]
  messages: string[]
  libFrames: SignatureFrame[]
}

const lib = (module: string, fn: string): SignatureFrame => ({ module, function: fn, filename: `node_modules/${module.split('/')[0]}/index.js`, inApp: false })

// Each cause surfaces differently per service (type, wording, stack); what stays is the part
// of the signature that names the failing dependency.
const families: CauseFamily[] = [
  { name: 'postgres-down', types: ['ConnectionRefusedError', 'SequelizeConnectionError', 'PrismaClientInitializationError'], messages: ['connect ECONNREFUSED <ip>:5432', 'Can\'t reach database server at postgres primary', 'connection to postgres server refused'], libFrames: [lib('pg/lib/client', 'connect'), lib('pg-pool', 'acquire'), lib('sequelize/dialects/postgres', 'connect')] },
  { name: 'redis-timeout', types: ['TimeoutError', 'RedisTimeoutError', 'ReplyError'], messages: ['Command timed out: GET session <hex>', 'redis connection timeout after <int>ms', 'ioredis command exceeded deadline'], libFrames: [lib('ioredis/built/redis', 'sendCommand'), lib('ioredis/built/Command', 'timeout')] },
  { name: 'stripe-card', types: ['StripeCardError', 'PaymentDeclinedError', 'CardError'], messages: ['Your card was declined: insufficient funds', 'card declined by issuer code <int>', 'payment declined for charge <hex>'], libFrames: [lib('stripe/lib/StripeResource', 'request'), lib('stripe/lib/Error', 'generate')] },
  { name: 's3-denied', types: ['AccessDenied', 'S3ServiceException', 'ForbiddenError'], messages: ['Access Denied for bucket uploads key <path>', 'putObject forbidden on s3 bucket', 'AWS S3 access denied signature mismatch'], libFrames: [lib('@aws-sdk/client-s3', 'send'), lib('@smithy/smithy-client', 'deserialize')] },
  { name: 'jwt-expired', types: ['TokenExpiredError', 'JWTExpired', 'UnauthorizedError'], messages: ['jwt expired at <date>', 'token signature expired for audience api', 'bearer token expired'], libFrames: [lib('jsonwebtoken/verify', 'verify'), lib('jose/jwt/verify', 'jwtVerify')] },
  { name: 'oom-image', types: ['RangeError', 'AllocationError', 'ImageProcessingError'], messages: ['Array buffer allocation failed resizing image', 'sharp input image exceeds pixel limit', 'out of memory while decoding jpeg'], libFrames: [lib('sharp/lib/resize', 'resize'), lib('sharp/lib/output', 'toBuffer')] },
  { name: 'kafka-rebalance', types: ['KafkaJSProtocolError', 'RebalanceInProgressError', 'KafkaJSError'], messages: ['The group is rebalancing, so a rejoin is needed', 'consumer group rebalance in progress topic orders', 'kafka offset commit failed during rebalance'], libFrames: [lib('kafkajs/src/consumer', 'commitOffsets'), lib('kafkajs/src/protocol', 'parse')] },
  { name: 'graphql-null', types: ['GraphQLError', 'TypeError', 'NonNullViolation'], messages: ['Cannot return null for non-nullable field Query.viewer', 'non-nullable field User.email resolved null', 'graphql resolver returned null for viewer'], libFrames: [lib('graphql/execution/execute', 'completeValue'), lib('@apollo/server', 'executeOperation')] },
  { name: 'smtp-auth', types: ['SMTPError', 'MailDeliveryError', 'EAUTH'], messages: ['Invalid login: 535 Authentication failed smtp', 'smtp relay rejected credentials for mailer', 'nodemailer authentication failed'], libFrames: [lib('nodemailer/lib/smtp-connection', 'login'), lib('nodemailer/lib/mailer', 'sendMail')] },
  { name: 'dns-fail', types: ['Error', 'DNSLookupError', 'FetchError'], messages: ['getaddrinfo ENOTFOUND <hostname>', 'dns lookup failed for upstream host', 'request failed, reason: getaddrinfo EAI_AGAIN'], libFrames: [lib('node:dns', 'onlookup'), lib('undici/lib/core/connect', 'connect')] },
  { name: 'mongo-dup', types: ['MongoServerError', 'DuplicateKeyError', 'MongoBulkWriteError'], messages: ['E11000 duplicate key error collection users index email', 'duplicate key on insert into users email index', 'bulk write duplicate key mongo'], libFrames: [lib('mongodb/lib/operations/insert', 'execute'), lib('mongoose/lib/model', 'save')] },
  { name: 'rate-limited', types: ['TooManyRequestsError', 'HTTPError', 'RateLimitError'], messages: ['Response code 429 (Too Many Requests) from partner api', 'rate limit exceeded retry after <int>', 'throttled by upstream quota exceeded'], libFrames: [lib('got/dist/source/core', 'request'), lib('axios/lib/core/settle', 'settle')] },
]

const services = ['checkout', 'catalog', 'accounts', 'notifications', 'search', 'media', 'billing', 'gateway']
const appFunctions = ['handle', 'process', 'load', 'save', 'execute', 'run', 'resolve', 'fetch', 'update', 'create']
const appNouns = ['Order', 'User', 'Cart', 'Invoice', 'Session', 'Image', 'Email', 'Report', 'Product', 'Event']
// Frames every Node service shows, whatever failed: they make unrelated issues look alike.
const commonFrames: SignatureFrame[] = [
  { module: 'express/lib/router/layer', function: 'handle', filename: 'node_modules/express/lib/router/layer.js', inApp: false },
  { module: 'node:internal/process/task_queues', function: 'processTicksAndRejections', filename: 'node:internal/process/task_queues', inApp: false },
  { module: 'express/lib/router/index', function: 'next', filename: 'node_modules/express/lib/router/index.js', inApp: false },
]

function appFrame(r: Prng, service: string): SignatureFrame {
  const noun = r.pick(appNouns)
  return { module: `${service}/src/${noun.toLowerCase()}-service`, function: `${r.pick(appFunctions)}${noun}`, filename: `src/${noun.toLowerCase()}-service.ts`, inApp: true }
}

function makeIssue(r: Prng, family: CauseFamily, service: string, serviceFrames: SignatureFrame[]): LabelledIssue {
  const frames: SignatureFrame[] = []
  for (let i = 0; i < r.int(1, 2); i++) frames.push(r.pick(family.libFrames))
  // App frames come from the service's own code: shared by unrelated issues of one service.
  for (let i = 0; i < r.int(2, 4); i++) frames.push(r.pick(serviceFrames))
  for (const frame of commonFrames) if (r.chance(0.7)) frames.push(frame)
  return { signature: { exceptionType: r.pick(family.types), message: r.pick(family.messages), frames }, cause: family.name, service }
}

/**
 * Issue sets with known shared causes: each cause shows up in several services, each service
 * has several unrelated causes, so the service's own frames and words are a decoy.
 */
export function generateIssueSet(seed: number, issuesPerCause = 10): LabelledIssue[] {
  const r = createPrng(seed)
  const serviceFrames = new Map(services.map((service) => [service, Array.from({ length: 6 }, () => appFrame(r, service))]))
  const issues: LabelledIssue[] = []
  for (const family of families) {
    for (let i = 0; i < issuesPerCause; i++) {
      const service = r.pick(services)
      issues.push(makeIssue(r, family, service, serviceFrames.get(service)!))
    }
  }
  return r.shuffle(issues)
}

export const causeFamilyCount = families.length
