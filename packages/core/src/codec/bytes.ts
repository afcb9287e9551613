/**
 * The primitives of the wire format: unsigned LEB128 varints for non-negative safe integers,
 * one byte per boolean, length-prefixed bytes and UTF-8 ids. The reader checks every bound and
 * throws a DecodeError naming the field, so no RangeError escapes from deep inside.
 */
import { DecodeError, EncodeError } from './errors.ts';

/** The longest id (node or cluster) in UTF-8 bytes. */
export const MAX_ID_BYTES = 64;

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the id instead of silently dropping it.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const loneSurrogate = /\p{Cs}/u;

export class Writer {
  #buf: Uint8Array;
  #pos = 0;

  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  get length(): number {
    return this.#pos;
  }

  byte(value: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = value;
  }

  bool(value: boolean, what: string): void {
    if (typeof value !== 'boolean') throw new EncodeError('impossibleField', `${what} must be a boolean`);
    this.byte(value ? 1 : 0);
  }

  uint(value: number, what: string): void {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new EncodeError('impossibleField', `${what} must be a non-negative safe integer, got ${String(value)}`);
    }
    this.#ensure(8);
    const buf = this.#buf;
    while (value >= 0x80) {
      buf[this.#pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buf[this.#pos++] = value;
  }

  bytes(value: Uint8Array, what: string): void {
    if (!(value instanceof Uint8Array)) throw new EncodeError('impossibleField', `${what} must be a Uint8Array`);
    this.uint(value.length, `${what}.length`);
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  /** An id of at most MAX_ID_BYTES UTF-8 bytes; its length prefix is then always one byte. */
  id(value: string, what: string, allowEmpty = false): void {
    if (typeof value !== 'string') throw new EncodeError('impossibleField', `${what} must be a string`);
    if (value.length === 0 && !allowEmpty) throw new EncodeError('impossibleField', `${what} must not be empty`);
    // A lone surrogate would be replaced by U+FFFD and come back as a different id.
    if (loneSurrogate.test(value)) throw new EncodeError('impossibleField', `${what} is not well-formed UTF-16`);
    this.#ensure(1 + value.length * 3);
    const { written } = utf8Encoder.encodeInto(value, this.#buf.subarray(this.#pos + 1));
    if (written > MAX_ID_BYTES) {
      throw new EncodeError('impossibleField', `${what} is ${written} UTF-8 bytes, at most ${MAX_ID_BYTES} allowed`);
    }
    this.#buf[this.#pos] = written;
    this.#pos += 1 + written;
  }

  raw(value: Uint8Array): void {
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  /** The bytes written, in an exactly sized buffer (a structured clone copies the whole buffer). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

export class Reader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;
  /** The sender named so far, attached to errors to help a transport report them. */
  from: string | undefined;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  get position(): number {
    return this.#pos;
  }

  /** A DecodeError naming the claimed sender, for `throw r.error(...)`. */
  error(reason: 'decode' | 'impossibleField' | 'unknownType', message: string): DecodeError {
    return new DecodeError(reason, message, this.from);
  }

  fail(reason: 'decode' | 'impossibleField' | 'unknownType', message: string): never {
    throw this.error(reason, message);
  }

  byte(what: string): number {
    if (this.#pos >= this.#end) this.fail('decode', `truncated: ${what} is missing`);
    return this.#buf[this.#pos++]!;
  }

  bool(what: string): boolean {
    const value = this.byte(what);
    if (value > 1) this.fail('decode', `${what} is not a boolean (byte ${value})`);
    return value === 1;
  }

  uint(what: string): number {
    const first = this.byte(what);
    if (first < 0x80) return first;
    let value = first & 0x7f;
    let scale = 0x80;
    for (let i = 1; i < 8; i++) {
      const byte = this.byte(what);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0) this.fail('decode', `${what} is an over-long varint`);
        if (!Number.isSafeInteger(value)) this.fail('decode', `${what} exceeds 2^53 - 1`);
        return value;
      }
      scale *= 0x80;
    }
    return this.fail('decode', `${what} is a varint longer than 8 bytes`);
  }

  /** A length-prefixed byte string, copied so the message never aliases the frame. */
  bytes(what: string): Uint8Array {
    const length = this.uint(`${what}.length`);
    if (length > this.remaining) {
      this.fail('decode', `truncated: ${what} needs ${length} bytes, ${this.remaining} left`);
    }
    const start = this.#pos;
    this.#pos += length;
    return this.#buf.slice(start, this.#pos);
  }

  id(what: string, allowEmpty = false): string {
    const length = this.byte(`${what}.length`);
    if (length > MAX_ID_BYTES) this.fail('decode', `${what} is ${length} bytes, at most ${MAX_ID_BYTES} allowed`);
    if (length === 0 && !allowEmpty) this.fail('impossibleField', `${what} is empty`);
    if (length > this.remaining) this.fail('decode', `truncated: ${what} needs ${length} bytes, ${this.remaining} left`);
    const start = this.#pos;
    this.#pos += length;
    try {
      return utf8Decoder.decode(this.#buf.subarray(start, this.#pos));
    } catch {
      return this.fail('decode', `${what} is not valid UTF-8`);
    }
  }

  /** A count of items each at least `minItemBytes` long; refuses counts the remaining input cannot hold. */
  count(what: string, minItemBytes: number): number {
    const n = this.uint(`${what}.count`);
    if (n * minItemBytes > this.remaining) {
      this.fail('decode', `truncated: ${what} claims ${n} items, ${this.remaining} bytes left`);
    }
    return n;
  }

  expectEnd(what: string): void {
    if (this.#pos !== this.#end) this.fail('decode', `${this.#end - this.#pos} trailing bytes after ${what}`);
  }
}
