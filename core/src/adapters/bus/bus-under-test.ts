import type { Bus } from '../../ports/bus'

/**
 * What an adapter's test hands the bus contract (bus.contract.ts and its fan-out part): a bus and
 * a way to open another on the same storage. Its own file so both parts of the contract share it.
 */
export interface BusUnderTest {
  bus: Bus
  /** Close nothing, open a second bus on the same storage (same file / same server and streams). */
  reopen(): Promise<Bus>
  /** Close every bus opened by this fixture and remove its storage. */
  cleanup(): Promise<void>
}
