/**
 * Splits a byte stream into HTTP/1.1 messages framed by Content-Length (no chunked bodies) and
 * calls `onMessage` with each message's head and body once the body is in. For test servers and
 * benchmark peers that must see exactly the bytes on the wire, without Node's HTTP parser.
 */
export function httpMessages(onMessage: (head: string, body: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0)
  let head = ''
  let bodyLength = -1
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
    for (;;) {
      if (bodyLength < 0) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        head = pending.toString('latin1', 0, end)
        bodyLength = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        pending = pending.subarray(end + 4)
      }
      if (pending.length < bodyLength) return
      const body = pending.subarray(0, bodyLength)
      pending = pending.subarray(bodyLength)
      bodyLength = -1
      onMessage(head, body)
    }
  }
}
