/**
 * Where the master key comes from: `SECRET_KEY`, or `SECRET_KEY_FILE` (first line), with
 * `SECRET_KEYS_PREVIOUS` for keys being rotated out. With neither set and metadata in the
 * embedded SQLite file, a key is generated once into `DATA_DIR/secret.key` (mode 0600) beside the
 * data it protects, so `npm start` needs no configuration; with MongoDB the processes share the
 * metadata and so must share a key: it has to be configured, and start fails until it is.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config'
import { ConfigError } from '../errors'
import { createKeyring, generateMasterKey, parseMasterKey, type Keyring } from './keyring'

export const generatedKeyFile = 'secret.key'

export function loadKeyring(config: Pick<Config, 'secrets' | 'dataDir' | 'profile'>): Keyring {
  const { secrets } = config
  const previous = secrets.previousKeys.map((text, i) => parseMasterKey(text, `SECRET_KEYS_PREVIOUS entry ${i + 1}`))
  if (secrets.key) return createKeyring(parseMasterKey(secrets.key, 'SECRET_KEY'), previous)
  if (secrets.keyFile) return createKeyring(parseMasterKey(readKeyFile(secrets.keyFile, 'SECRET_KEY_FILE'), `SECRET_KEY_FILE ${secrets.keyFile}`), previous)
  if (config.profile.metadata !== 'sqlite') {
    throw new ConfigError('missing', 'MONGODB_URL is set, so every process must share one master key: set SECRET_KEY or SECRET_KEY_FILE (generate one with `npm run faultline -- secrets generate-key`)')
  }
  const path = join(config.dataDir, generatedKeyFile)
  // Written whole under another name, then linked into place: processes starting together on a
  // fresh directory never read a half-written key (one link wins, the others read its key).
  if (!existsSync(path)) {
    const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`
    try {
      writeFileSync(draft, `${generateMasterKey()}\n`, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      throw new ConfigError('invalid', `cannot create ${draft}`, { cause: error })
    }
    try {
      linkSync(draft, path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError('invalid', `cannot create ${path}`, { cause: error })
    }
    unlinkSync(draft)
  }
  return createKeyring(parseMasterKey(readKeyFile(path, 'the generated key file'), path), previous)
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n')[0] ?? ''
  } catch (cause) {
    throw new ConfigError('missing', `${what} ${path} cannot be read`, { cause })
  }
}
