/**
 * What a connection's half-received message holds in the relay's memory. `ws` keeps every
 * byte of a data message until its last fragment arrives, so a client that sends most of a
 * large message and stops (keeping the socket alive with pongs) pins that memory. This reads
 * the WebSocket frame headers (RFC 6455 §5.2) of the raw stream alongside `ws` and counts the
 * bytes of the message in progress, plus a cost per chunk received meanwhile (each is a
 * Buffer `ws` holds on to), so the relay can budget them and find the senders holding most.
 */

/** Bookkeeping cost of one received chunk that `ws` keeps until its message is complete. */
export const chunkCost = 256;

export class PartialMessage {
  /** Bytes (headers, payload, chunk costs) of the data message in progress; 0 between messages. */
  held = 0;
  /** When the message in progress got its first byte. */
  since = 0;
  #header: number[] = [];
  #headerLength = 2;
  #payloadLeft = 0;
  #inPayload = false;
  #dataFrame = false;
  #finalFrame = false;
  #inMessage = false;

  /** Reads one chunk from the socket; returns by how much `held` changed (negative once a message is complete). */
  read(chunk: Uint8Array, now: number): number {
    const before = this.held;
    // Data-message bytes of this chunk since the last message in it ended.
    let counted = 0;
    let at = 0;
    while (at < chunk.length) {
      if (!this.#inPayload) {
        this.#header.push(chunk[at++]!);
        if (this.#header.length === 2) this.#headerLength = headerLength(this.#header[1]!);
        if (this.#header.length < this.#headerLength) continue;
        this.#beginFrame();
        if (this.#dataFrame) counted += this.#headerLength;
      } else {
        const take = Math.min(this.#payloadLeft, chunk.length - at);
        at += take;
        this.#payloadLeft -= take;
        if (this.#dataFrame) counted += take;
      }
      if (this.#payloadLeft > 0) continue;
      this.#inPayload = false;
      if (this.#dataFrame && this.#finalFrame) {
        this.#inMessage = false;
        this.held = 0;
        counted = 0;
      }
    }
    if (this.#inMessage) {
      if (this.held === 0) this.since = now;
      this.held += counted + chunkCost;
    }
    return this.held - before;
  }

  #beginFrame(): void {
    const first = this.#header[0]!;
    this.#payloadLeft = payloadLength(this.#header);
    this.#header = [];
    this.#headerLength = 2;
    this.#inPayload = true;
    // Control frames (close, ping, pong: opcodes 8 and up) may come between the fragments of
    // a message and belong to none; data frames (0 continuation, 1 text, 2 binary) do.
    this.#dataFrame = (first & 0x0f) < 8;
    this.#finalFrame = (first & 0x80) !== 0;
    if (this.#dataFrame) this.#inMessage = true;
  }
}

/** Header length once its second byte (mask bit and 7-bit length) is known. */
function headerLength(second: number): number {
  const length7 = second & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const mask = (second & 0x80) !== 0 ? 4 : 0;
  return 2 + extended + mask;
}

function payloadLength(header: readonly number[]): number {
  const length7 = header[1]! & 0x7f;
  if (length7 < 126) return length7;
  if (length7 === 126) return (header[2]! << 8) | header[3]!;
  // 64 bits: `ws` closes the connection (maxPayload) long before such a length could matter.
  let length = 0;
  for (let i = 2; i < 10; i++) length = length * 256 + header[i]!;
  return length;
}
