const hex = /^0x([0-9a-f]{1,32})$/i
const decimal = /^\d{1,20}$/

/**
 * A native address as Relay writes it: lowercase `0x…` hex without leading zeros. SDKs send hex
 * text (`"0x00000001000a1b2c"`) or, rarely, a JSON number; anything else is not an address.
 */
export function readAddress(value: unknown): string | undefined {
  let parsed: bigint | undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) parsed = BigInt(value)
  else if (typeof value === 'string') {
    const text = value.trim()
    const match = hex.exec(text)
    if (match) parsed = BigInt(`0x${match[1]}`)
    else if (decimal.test(text)) parsed = BigInt(text)
  }
  // 64-bit addresses only: wider values are not addresses of any platform Sentry supports.
  if (parsed === undefined || parsed > 0xffffffffffffffffn) return undefined
  return `0x${parsed.toString(16)}`
}
