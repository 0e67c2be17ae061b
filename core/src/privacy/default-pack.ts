/**
 * The `default` rule pack: credentials, secrets, payment cards, US SSNs and email addresses.
 * Written out as a list in `core/src/privacy/README.md`; its corpus is `ingest/src/scrub/corpus`.
 */
import { Detectors, type RuleInput } from './rules'

export const defaultPack: RuleInput[] = [
  {
    id: 'passwords',
    description: 'Passwords and passphrases, by key name, in key=value text and after the word in prose',
    keys: {
      contains: ['password', 'passwd', 'passphrase', 'mysqlpwd'],
      words: ['pwd', 'pass'],
      labels: ['password', 'passwd', 'passphrase', 'pwd'],
    },
  },
  {
    id: 'secrets',
    description: 'API keys, secrets, credentials, private and access keys, auth values, JWTs, one-time codes and PINs',
    keys: {
      contains: ['secret', 'apikey', 'credential', 'privatekey', 'accesskey'],
      words: ['auth', 'jwt', 'bearer', 'otp', 'pin'],
      labels: ['secret', 'api key', 'api-key', 'apikey', 'private key', 'access key', 'client secret'],
    },
  },
  {
    id: 'sessions',
    description: 'Session ids and CSRF tokens, cookies and authorization headers',
    keys: { contains: ['sessid', 'sessionid', 'sessionkey', 'csrf', 'xsrf', 'cookie', 'authorization'], words: ['session'] },
  },
  {
    id: 'payment-card-keys',
    description: 'Card numbers and verification codes by key name',
    keys: { contains: ['creditcard', 'cardnumber', 'ccnumber'], words: ['cvv', 'cvv2', 'cvc'] },
  },
  {
    id: 'national-id-keys',
    description: 'Social security numbers by key name',
    keys: { contains: ['socialsecurity'], words: ['ssn'], labels: ['ssn', 'social security number'] },
  },
  {
    id: 'tokens',
    description: 'Access, refresh and CSRF tokens; numbers under token keys are counts (gen_ai.usage.input_tokens) and kept',
    keys: { contains: ['token'], keepNumbers: true, labels: ['token', 'access token', 'refresh token'] },
  },
  { id: 'private-keys', description: 'PEM private key blocks, also truncated ones', value: { detector: Detectors.privateKey } },
  { id: 'url-passwords', description: 'The password of scheme://user:password@host', value: { detector: Detectors.urlPassword } },
  { id: 'bearer-tokens', description: 'Bearer <token> with 16+ characters and a digit', value: { detector: Detectors.bearerToken } },
  { id: 'basic-credentials', description: 'Basic <base64 of user:password>', value: { detector: Detectors.basicCredentials } },
  { id: 'aws-access-keys', description: 'AWS access key ids (AKIA, ASIA, ABIA, ACCA + 16)', value: { detector: Detectors.awsAccessKey } },
  {
    id: 'payment-cards',
    description: 'Card-shaped numbers: issuer prefix and length of a card network, one separator style, Luhn-valid',
    value: { detector: Detectors.paymentCard },
  },
  { id: 'us-ssns', description: 'US social security numbers ###-##-#### outside the never-issued ranges', value: { detector: Detectors.usSsn } },
  { id: 'emails', description: 'Email addresses in text', value: { detector: Detectors.email } },
]
