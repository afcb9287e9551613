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

export interface Envelope {
  /** Proposal sequence of the origin node; -1 when the entry carries no origin. */
  readonly originSeq: number;
  /** True when the origin is the node that decoded it (same id and incarnation). */
  readonly mine: boolean;
  readonly session: EnvelopeSession | undefined;
  readonly register: boolean;
  readonly payload: Uint8Array;
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** Encodes and recognises the envelopes of one node incarnation. */
export class EnvelopeCodec {
  /** `[length, ...utf8(id), incarnation(4)]`, compared byte-wise to spot our own entries fast. */
  private readonly origin: Uint8Array;

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
    out.set(this.origin, 1);
    let pos = writeVarint(out, 1 + this.origin.length, seq);
    if (session !== undefined && clientId !== undefined) {
      out[pos++] = clientId.length;
      out.set(clientId, pos);
      pos = writeVarint(out, pos + clientId.length, session.seq);
    }
    out.set(payload, pos);
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
    let pos = 1;
    let originSeq = -1;
    let mine = false;
    if ((flags & ORIGIN) !== 0) {
      const idLength = data[pos] ?? 0;
      const blockEnd = pos + 1 + idLength + 4;
      if (idLength === 0 || blockEnd > data.length) throw new EnvelopeError('truncated origin');
      mine = this.isOwnOrigin(data, pos, blockEnd);
      [originSeq, pos] = readVarint(data, blockEnd);
    }
    let session: EnvelopeSession | undefined;
    if ((flags & SESSION) !== 0) {
      const idLength = data[pos] ?? 0;
      const idEnd = pos + 1 + idLength;
      if (idLength === 0 || idEnd > data.length) throw new EnvelopeError('truncated client id');
      const clientId = decodeClientId(data.subarray(pos + 1, idEnd));
      const [seq, next] = readVarint(data, idEnd);
      session = { clientId, seq };
      pos = next;
    }
    const register = (flags & REGISTER) !== 0;
    if (register && (session !== undefined || pos !== data.length)) throw new EnvelopeError('malformed session registration');
    return { originSeq, mine, session, register, payload: data.subarray(pos) };
  }

  private isOwnOrigin(data: Uint8Array, start: number, end: number): boolean {
    const origin = this.origin;
    if (end - start !== origin.length) return false;
    for (let i = 0; i < origin.length; i++) if (data[start + i] !== origin[i]) return false;
    return true;
  }
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
