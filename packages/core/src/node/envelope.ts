/**
 * The bytes a RaftNode puts in a `normal` entry: who proposed it (so the proposer can find
 * its caller when the entry is applied, even after the core forwarded it to a leader), an
 * optional client session (exactly-once), then the encoded command.
 *
 * Layout: `flags` u8 (high nibble: format version), then when `ORIGIN`: origin id (u8 length +
 * UTF-8), incarnation u32 BE, seq varint; when `SESSION`: client id (u8 length + UTF-8), seq
 * varint; then the command bytes to the end.
 */
import { readVarint, varintSize, writeVarint } from './varint.ts';

const VERSION = 0x10;
const VERSION_MASK = 0xf0;
const ORIGIN = 0x01;
const SESSION = 0x02;
/** Opens a client session; no command bytes. */
const REGISTER = 0x04;

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

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** Encodes and recognises the envelopes of one node incarnation. */
export class EnvelopeCodec {
  /** `[length, ...utf8(id), incarnation(4)]`, compared byte-wise to spot our own entries fast. */
  private readonly origin: Uint8Array;
  private readonly decoded: Envelope = { originSeq: -1, mine: false, session: undefined, register: false, payload: new Uint8Array(0) };
  private pos = 0;

  constructor(id: string, incarnation: number) {
    const idBytes = utf8.encode(id);
    if (idBytes.length === 0 || idBytes.length > 255) throw new EnvelopeError('node id must be 1..255 UTF-8 bytes');
    this.origin = new Uint8Array(1 + idBytes.length + 4);
    this.origin[0] = idBytes.length;
    this.origin.set(idBytes, 1);
    new DataView(this.origin.buffer).setUint32(1 + idBytes.length, incarnation >>> 0);
  }

  encode(seq: number, payload: Uint8Array, session?: EnvelopeSession): Uint8Array {
    const clientId = session === undefined ? undefined : encodeClientId(session.clientId);
    let size = 1 + this.origin.length + varintSize(seq) + payload.length;
    if (session !== undefined && clientId !== undefined) size += 1 + clientId.length + varintSize(session.seq);
    const out = new Uint8Array(size);
    out[0] = VERSION | ORIGIN | (session === undefined ? 0 : SESSION);
    let pos = copy(this.origin, out, 1);
    pos = writeVarint(out, pos, seq);
    if (session !== undefined && clientId !== undefined) {
      out[pos++] = clientId.length;
      pos = copy(clientId, out, pos);
      pos = writeVarint(out, pos, session.seq);
    }
    copy(payload, out, pos);
    return out;
  }

  encodeRegister(seq: number): Uint8Array {
    const out = new Uint8Array(1 + this.origin.length + varintSize(seq));
    out[0] = VERSION | ORIGIN | REGISTER;
    out.set(this.origin, 1);
    writeVarint(out, 1 + this.origin.length, seq);
    return out;
  }

  /** @throws EnvelopeError on bytes this format cannot have produced. */
  decode(data: Uint8Array): Envelope {
    const flags = data[0];
    if (flags === undefined || (flags & VERSION_MASK) !== VERSION || (flags & ~(VERSION_MASK | 7)) !== 0) {
      throw new EnvelopeError('unknown envelope format');
    }
    const out = this.decoded;
    let pos = 1;
    out.originSeq = -1;
    out.mine = false;
    out.session = undefined;
    if ((flags & ORIGIN) !== 0) {
      const idLength = data[pos] ?? 0;
      const blockEnd = pos + 1 + idLength + 4;
      if (idLength === 0 || blockEnd > data.length) throw new EnvelopeError('truncated origin');
      out.mine = this.isOwnOrigin(data, pos, blockEnd);
      out.originSeq = this.readVarint(data, blockEnd);
      pos = this.pos;
    }
    if ((flags & SESSION) !== 0) {
      const idLength = data[pos] ?? 0;
      const idEnd = pos + 1 + idLength;
      if (idLength === 0 || idEnd > data.length) throw new EnvelopeError('truncated client id');
      const clientId = decodeClientId(data.subarray(pos + 1, idEnd));
      out.session = { clientId, seq: this.readVarint(data, idEnd) };
      pos = this.pos;
    }
    out.register = (flags & REGISTER) !== 0;
    if (out.register && (out.session !== undefined || pos !== data.length)) throw new EnvelopeError('malformed session registration');
    // A view rather than `subarray`, which is several times slower in V8.
    out.payload = new Uint8Array(data.buffer, data.byteOffset + pos, data.length - pos);
    return out;
  }

  /** Reads a varint at `pos`; leaves the position after it in `this.pos` (no tuple to allocate). */
  private readVarint(data: Uint8Array, pos: number): number {
    const first = data[pos];
    if (first !== undefined && first < 0x80) {
      this.pos = pos + 1;
      return first;
    }
    let value: number;
    try {
      [value, this.pos] = readVarint(data, pos);
    } catch (error) {
      throw new EnvelopeError('bad varint', { cause: error });
    }
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
