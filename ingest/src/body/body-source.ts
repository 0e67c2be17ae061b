/**
 * Where a body's chunks are pulled from: a web stream's reader has this shape, and so does
 * nodeBodySource(). Its own file because both the reader (read-body.ts) and the rate guard that
 * wraps a source (minimum-rate.ts) need it, and the reader needs the guard's error.
 */
export interface BodySource {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>
  cancel(reason?: unknown): Promise<void>
}
