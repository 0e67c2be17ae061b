/**
 * Offline geolocation of `source.ip`: country from the `@ip-location-db/geo-whois-asn-country-mmdb`
 * package (CC BY 4.0 data from the regional internet registries, ~15 MB, IPv4 and IPv6), read with
 * `maxmind`. Never a remote lookup. Country level is what the impossible-travel rule compares; the
 * package's README warns that some ranges are misattributed (documentation ranges among them), so a
 * country is a hint for analysts, not proof. Refresh the data by updating the package.
 */
import { createRequire } from 'node:module'
import maxmind, { type Reader, type Response } from 'maxmind'

export interface GeoFields {
  country_iso_code: string
  country_name: string
}

/** The package's record shape (not one of MaxMind's own, hence the cast at the reader). */
interface CountryRecord {
  country_code?: string
}
type AnyReader = Reader<Response>

const require = createRequire(import.meta.url)
const names = new Intl.DisplayNames(['en'], { type: 'region' })

export function defaultGeoDatabasePath(): string {
  return require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb')
}

export class GeoLocator {
  readonly #reader: AnyReader
  readonly #names = new Map<string, string>()

  private constructor(reader: AnyReader) {
    this.#reader = reader
  }

  /** Opens the database once (the search tree is read into memory, ~15 MB). */
  static async open(path = defaultGeoDatabasePath()): Promise<GeoLocator> {
    return new GeoLocator(await maxmind.open(path, { cache: { max: 10_000 } }))
  }

  /** The country of `ip`, or undefined for private, reserved and unknown addresses. */
  locate(ip: string): GeoFields | undefined {
    if (!maxmind.validate(ip)) return undefined
    const code = (this.#reader.get(ip) as CountryRecord | null)?.country_code
    if (!code || !/^[A-Z]{2}$/.test(code)) return undefined
    let name = this.#names.get(code)
    if (name === undefined) {
      name = names.of(code) ?? code
      this.#names.set(code, name)
    }
    return { country_iso_code: code, country_name: name }
  }
}
