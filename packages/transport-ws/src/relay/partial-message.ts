/**
 * What a connection's half-received message holds in the relay's memory. `ws` keeps every
 * byte of a data message until its last fragment arrives, so a client that sends most of a
 * large message and stops (keeping the socket alive with pongs) pins that memory. This reads
 * the WebSocket frame headers (RFC 6455 §5.2) of the raw stream before `ws` does, and counts
 * a frame's whole announced length as soon as its header is read: the relay can then stop
 * reading a client whose message would not fit in its budget, instead of reading the bytes
 * and throwing them away (they would stay in memory until the next garbage collection).
 *
 * Each byte counts twice: a frame that arrives in several reads is copied into one buffer
 * when it is complete, and the reads are freed only by a later garbage collection.
 */

/** Bookkeeping cost of one received chunk that `ws` keeps until its message is complete. */
const chunkCost = 256;
/** Memory per byte of a message in progress: the reads, and the buffer they are joined into. */
const bytesCost = 2;

export class PartialMessage {
  /** `ws` closes the connection on a longer frame header, before reading any of its payload. */
  readonly #maxFrameBytes: number;
  /** Memory counted for the data message in progress (announced bytes twice, chunk costs); 0 between messages. */
  held = 0;
  /** When the message in progress got its first byte. */
  since = 0;
  /** When the last bytes of the message in progress were read. */
  progressAt = 0;
  #header: number[] = [];
  #headerLength = 2;
  #payloadLeft = 0;
  #inPayload = false;
  #dataFrame = false;
  #finalFrame = false;
  #inMessage = false;
  /** Whether the announced but unread bytes of the current frame are counted in `held`. */
  #reserved = true;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** A data message has begun and not ended. */
  get open(): boolean {
    return this.#inMessage;
  }

  /** What `held` counts for bytes the current data frame announced and that are not read yet. */
  get unread(): number {
    return this.#inPayload && this.#dataFrame ? bytesCost * this.#payloadLeft : 0;
  }

  /** Reads one chunk from the socket; returns by how much `held` changed (negative once a message is complete). */
  read(chunk: Uint8Array, now: number): number {
    const before = this.held;
    let at = 0;
    while (at < chunk.length) {
      if (!this.#inPayload) {
        this.#header.push(chunk[at++]!);
        if (this.#header.length === 2) this.#headerLength = headerLength(this.#header[1]!);
        if (this.#header.length < this.#headerLength) continue;
        this.#beginFrame(now);
      } else {
        const take = Math.min(this.#payloadLeft, chunk.length - at);
        at += take;
        this.#payloadLeft -= take;
        if (this.#dataFrame) {
          this.progressAt = now;
          // Bytes the frame announced were counted with its header, unless they were set aside.
          if (!this.#reserved) this.held += bytesCost * take;
        }
      }
      if (this.#payloadLeft > 0) continue;
      this.#inPayload = false;
      if (this.#dataFrame && this.#finalFrame) {
        this.#inMessage = false;
        this.held = 0;
      }
    }
    if (this.#inMessage) this.held += chunkCost;
    return this.held - before;
  }

  /**
   * Takes the bytes announced and not read yet out of `held` (the relay stops reading the
   * socket instead of holding room for them); returns how much it took.
   */
  setAside(): number {
    const unread = this.#reserved ? this.unread : 0;
    this.#reserved = false;
    this.held -= unread;
    return unread;
  }

  /** Counts the announced unread bytes again, before the relay reads on; returns how much it added. */
  takeBack(): number {
    if (this.#reserved) return 0;
    this.#reserved = true;
    const unread = this.unread;
    this.held += unread;
    return unread;
  }

  #beginFrame(now: number): void {
    const first = this.#header[0]!;
    this.#payloadLeft = Math.min(payloadLength(this.#header), this.#maxFrameBytes + 1);
    // Control frames (close, ping, pong: opcodes 8 and up) may come between the fragments of
    // a message and belong to none; data frames (0 continuation, 1 text, 2 binary) do.
    this.#dataFrame = (first & 0x0f) < 8;
    this.#finalFrame = (first & 0x80) !== 0;
    this.#inPayload = true;
    this.#reserved = true;
    if (this.#dataFrame) {
      if (!this.#inMessage) this.since = now;
      this.progressAt = now;
      this.#inMessage = true;
      this.held += bytesCost * (this.#headerLength + this.#payloadLeft);
    }
    this.#header = [];
    this.#headerLength = 2;
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
  // 64 bits: `ws` closes the connection (maxPayload) once it reads such a header.
  let length = 0;
  for (let i = 2; i < 10; i++) length = length * 256 + header[i]!;
  return length;
}
