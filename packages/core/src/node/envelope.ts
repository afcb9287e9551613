/**
 * The bytes a RaftNode puts in a `normal` entry: who proposed it (so the proposer can find
 * its caller when the entry is applied, even after the core forwarded it to a leader), an
 * optional client session (exactly-once), then the encoded command.
 *
 * Layout: `flags` u8 (high nibble: format version), then when `ORIGIN`: origin id (u8 length +
 * UTF-8), incarnation u32 BE, seq varint; when `FENCE`: floor varint, stamp varint; when
 * `SESSION`: client id (u8 length + UTF-8), seq varint; then the command bytes to the end.
 *
 * The fence lets a leader drop a forwarded proposal it has already appended (the network may
 * deliver a message twice): `floor` says every proposal of this origin up to that sequence
 * number is settled at the origin, so none of them may be appended again; `stamp` is the
 * commit index the origin knew, which dates the proposal for the leader's bookkeeping.
 */
import { Slab } from '../slab.ts';
import { readVarint, scanVarint, varintProblem, varintSize, writeVarint } from '../codec/varint.ts';

const VERSION = 0x10;
const VERSION_MASK = 0xf0;
const ORIGIN = 0x01;
const SESSION = 0x02;
/** Opens a client session; no command bytes. */
const REGISTER = 0x04;
const FENCE = 0x08;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export interface EnvelopeSession {
  readonly clientId: string;
  readonly seq: number;
}

/**
 * One decoded envelope. The codec reuses a single instance for every `decode` (the apply
 * path decodes hundreds of thousands per second); copy out what must outlive the next call.
 */
export interface Envelope {
  /** Proposal sequence of the origin node; -1 when the entry carries no origin. */
  originSeq: number;
  /** True when the origin is the node that decoded it (same id and incarnation). */
  mine: boolean;
  session: EnvelopeSession | undefined;
  register: boolean;
  payload: Uint8Array;
}

/** Who proposed an entry, read without decoding the rest (the leader's duplicate filter). */
export interface EnvelopeOrigin {
  /** The origin's id and incarnation, as one string key. */
  key: string;
  seq: number;
  /** Every proposal of this origin up to `floor` is settled at the origin; 0 when unknown. */
  floor: number;
  /** The commit index the origin knew when it proposed; -1 when unknown. */
  stamp: number;
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/**
 * Several command envelopes in one entry (format nibble 2): `0x20`, count varint, then each
 * envelope as length varint + bytes. Commands of one batch share the entry's index.
 */
const BATCH = 0x20;

export function isBatch(data: Uint8Array): boolean {
  return data[0] === BATCH;
}

/** Bytes of a batch holding commands of these envelope sizes. */
export function batchSize(sizes: readonly number[], from: number, to: number): number {
  let size = 1 + varintSize(to - from);
  for (let i = from; i < to; i++) size += varintSize(sizes[i]!) + sizes[i]!;
  return size;
}

/** Writes a batch header for `count` commands; each command then follows as `writeBatchItemLength` + its envelope. */
export function writeBatchHeader(out: Uint8Array, count: number): number {
  out[0] = BATCH;
  return writeVarint(out, 1, count);
}

export function writeBatchItemLength(out: Uint8Array, pos: number, length: number): number {
  return writeVarint(out, pos, length);
}

export function encodeBatch(items: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(batchSize(items.map((item) => item.length), 0, items.length));
  let pos = writeBatchHeader(out, items.length);
  for (const item of items) pos = copy(item, out, writeBatchItemLength(out, pos, item.length));
  return out;
}

/**
 * The commands of a batch as `[start, end)` offset pairs into `data` (no views to allocate).
 * @throws EnvelopeError on a malformed batch.
 */
export function decodeBatch(data: Uint8Array): number[] {
  if (data[0] !== BATCH) throw new EnvelopeError('not a command batch');
  try {
    let [count, pos] = readVarint(data, 1);
    if (count > data.length) throw new EnvelopeError('batch count exceeds its size');
    const bounds: number[] = [];
    for (let i = 0; i < count; i++) {
      // Commands under 128 bytes (most) have a one-byte length: read it without a tuple.
      let length = data[pos];
      if (length !== undefined && length < 0x80) pos++;
      else [length, pos] = readVarint(data, pos);
      if (pos + length > data.length) throw new EnvelopeError('truncated batch item');
      bounds.push(pos, pos + length);
      pos += length;
    }
    if (pos !== data.length) throw new EnvelopeError('trailing bytes after a batch');
    return bounds;
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw new EnvelopeError('malformed batch', { cause: error });
  }
}

/** Encodes and recognises the envelopes of one node incarnation. */
export class EnvelopeCodec {
  /** `[length, ...utf8(id), incarnation(4)]`, compared byte-wise to spot our own entries fast. */
  private readonly origin: Uint8Array;
  private readonly decoded: Envelope = { originSeq: -1, mine: false, session: undefined, register: false, payload: new Uint8Array(0) };
  private readonly peeked: EnvelopeOrigin = { key: '', seq: 0, floor: 0, stamp: -1 };
  /** Written into every envelope encoded from now on (see the layout above). */
  floor = 0;
  stamp = 0;
  private pos = 0;
  private viewSource: Uint8Array | undefined;
  private viewBuffer: ArrayBufferLike = new ArrayBuffer(0);
  private viewOffset = 0;
  /** Where `encode` and `alloc` take their bytes from. */
  private readonly slab = new Slab();

  constructor(id: string, incarnation: number) {
    const idBytes = utf8.encode(id);
    if (idBytes.length === 0 || idBytes.length > 255) throw new EnvelopeError('node id must be 1..255 UTF-8 bytes');
    this.origin = new Uint8Array(1 + idBytes.length + 4);
    this.origin[0] = idBytes.length;
    this.origin.set(idBytes, 1);
    new DataView(this.origin.buffer).setUint32(1 + idBytes.length, incarnation >>> 0);
  }

  /** `payload` undefined: a session registration. */
  encode(seq: number, payload: Uint8Array | undefined, session?: EnvelopeSession): Uint8Array {
    const out = this.slab.alloc(this.size(seq, payload, session));
    this.write(out, 0, seq, payload, session);
    return out;
  }

  /** `size` fresh bytes (zeroed) for an entry this node proposes. */
  alloc(size: number): Uint8Array {
    return this.slab.alloc(size);
  }

  encodeRegister(seq: number): Uint8Array {
    return this.encode(seq, undefined);
  }

  /** Bytes `write` needs for this envelope. */
  size(seq: number, payload: Uint8Array | undefined, session?: EnvelopeSession): number {
    let size = 1 + this.origin.length + varintSize(seq) + varintSize(this.floor) + varintSize(this.stamp) + (payload?.length ?? 0);
    if (session !== undefined) size += 1 + encodeClientId(session.clientId).length + varintSize(session.seq);
    return size;
  }

  /** Writes the envelope into `out` at `pos` (straight into a batch, no copy); returns the end. */
  write(out: Uint8Array, pos: number, seq: number, payload: Uint8Array | undefined, session?: EnvelopeSession): number {
    out[pos] = VERSION | ORIGIN | FENCE | (session === undefined ? 0 : SESSION) | (payload === undefined ? REGISTER : 0);
    pos = copy(this.origin, out, pos + 1);
    pos = writeVarint(out, pos, seq);
    pos = writeVarint(out, pos, this.floor);
    pos = writeVarint(out, pos, this.stamp);
    if (session !== undefined) {
      const clientId = encodeClientId(session.clientId);
      out[pos++] = clientId.length;
      pos = copy(clientId, out, pos);
      pos = writeVarint(out, pos, session.seq);
    }
    return payload === undefined ? pos : copy(payload, out, pos);
  }

  /**
   * Decodes the envelope in `data[start..end)`.
   * @throws EnvelopeError on bytes this format cannot have produced.
   */
  decode(data: Uint8Array, start = 0, end = data.length): Envelope {
    const flags = start < end ? data[start] : undefined;
    if (flags === undefined || (flags & VERSION_MASK) !== VERSION || (flags & ~(VERSION_MASK | 15)) !== 0) {
      throw new EnvelopeError('unknown envelope format');
    }
    const out = this.decoded;
    let pos = start + 1;
    out.originSeq = -1;
    out.mine = false;
    out.session = undefined;
    if ((flags & ORIGIN) !== 0) {
      const idLength = pos < end ? data[pos]! : 0;
      const blockEnd = pos + 1 + idLength + 4;
      if (idLength === 0 || blockEnd > end) throw new EnvelopeError('truncated origin');
      out.mine = this.isOwnOrigin(data, pos, blockEnd);
      out.originSeq = this.readVarint(data, blockEnd, end);
      pos = this.pos;
      if ((flags & FENCE) !== 0) {
        this.readVarint(data, pos, end);
        this.readVarint(data, this.pos, end);
        pos = this.pos;
      }
    }
    if ((flags & SESSION) !== 0) {
      const idLength = pos < end ? data[pos]! : 0;
      const idEnd = pos + 1 + idLength;
      if (idLength === 0 || idEnd > end) throw new EnvelopeError('truncated client id');
      const clientId = decodeClientId(data.subarray(pos + 1, idEnd));
      out.session = { clientId, seq: this.readVarint(data, idEnd, end) };
      pos = this.pos;
    }
    out.register = (flags & REGISTER) !== 0;
    if (out.register && (out.session !== undefined || pos !== end)) throw new EnvelopeError('malformed session registration');
    out.payload = this.view(data, pos, end);
    return out;
  }

  /**
   * The origin of the envelope in `data[start..end)`, or undefined when it names none. The
   * result is reused by the next call.
   * @throws EnvelopeError on bytes this format cannot have produced.
   */
  peekOrigin(data: Uint8Array, start = 0, end = data.length): EnvelopeOrigin | undefined {
    const flags = start < end ? data[start]! : 0;
    if ((flags & VERSION_MASK) !== VERSION) throw new EnvelopeError('unknown envelope format');
    if ((flags & ORIGIN) === 0) return undefined;
    const pos = start + 1;
    const idLength = pos < end ? data[pos]! : 0;
    const blockEnd = pos + 1 + idLength + 4;
    if (idLength === 0 || blockEnd > end) throw new EnvelopeError('truncated origin');
    const out = this.peeked;
    out.key = String.fromCharCode(...data.subarray(pos, blockEnd));
    out.seq = this.readVarint(data, blockEnd, end);
    if ((flags & FENCE) !== 0) {
      out.floor = this.readVarint(data, this.pos, end);
      out.stamp = this.readVarint(data, this.pos, end);
    } else {
      out.floor = 0;
      out.stamp = -1;
    }
    return out;
  }

  /**
   * `data[from..to)` without a copy. The commands of a batch entry are decoded one after the
   * other from the same bytes, so its buffer and offset are looked up once (V8's `buffer` and
   * `byteOffset` getters cost more than the view itself).
   */
  private view(data: Uint8Array, from: number, to: number): Uint8Array {
    if (data !== this.viewSource) {
      if (to === data.length) return data.subarray(from, to);
      this.viewSource = data;
      this.viewBuffer = data.buffer;
      this.viewOffset = data.byteOffset;
    }
    return new Uint8Array(this.viewBuffer, this.viewOffset + from, to - from);
  }

  /** Reads a varint in `data[pos..end)`; leaves the position after it in `this.pos` (no tuple to allocate). */
  private readVarint(data: Uint8Array, pos: number, end: number): number {
    const value = scanVarint(data, pos, end);
    if (value < 0) throw new EnvelopeError(varintProblem(value));
    this.pos = pos + varintSize(value);
    return value;
  }

  private isOwnOrigin(data: Uint8Array, start: number, end: number): boolean {
    const origin = this.origin;
    if (end - start !== origin.length) return false;
    for (let i = 0; i < origin.length; i++) if (data[start + i] !== origin[i]) return false;
    return true;
  }
}

/** Copies `from` into `to` at `pos`; a plain loop beats `set` on the few bytes of a typical command. */
function copy(from: Uint8Array, to: Uint8Array, pos: number): number {
  const n = from.length;
  if (n > 64) {
    to.set(from, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) to[pos + i] = from[i]!;
  return pos + n;
}

export function isClientIdValid(clientId: string): boolean {
  const length = utf8.encode(clientId).length;
  return length > 0 && length <= 255;
}

function encodeClientId(clientId: string): Uint8Array {
  const bytes = utf8.encode(clientId);
  if (bytes.length === 0 || bytes.length > 255) throw new EnvelopeError('client id must be 1..255 UTF-8 bytes');
  return bytes;
}

function decodeClientId(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new EnvelopeError('client id is not UTF-8');
  }
}
