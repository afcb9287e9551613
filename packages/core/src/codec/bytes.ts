/**
 * The primitives of the wire format: unsigned LEB128 varints for non-negative safe integers,
 * one byte per boolean, length-prefixed bytes and UTF-8 ids. The reader checks every bound and
 * throws a DecodeError naming the field, so no RangeError escapes from deep inside.
 *
 * Field names for error messages are built only when an error is thrown: callers pass a
 * constant name and set `scope`/`item` (e.g. `app.entries` and 3) for nested values.
 */
import { DecodeError, EncodeError } from './errors.ts';
import type { RejectReason } from '../raft/types.ts';
import { Slab } from '../slab.ts';
import { VARINT_OVERLONG, VARINT_TRUNCATED, VARINT_UNSAFE, scanVarint, varintSize } from './varint.ts';

/** The longest id (node or cluster) in UTF-8 bytes. */
export const MAX_ID_BYTES = 64;
/** Messages up to this size are written into one reused buffer and copied out. */
const SHARED_BYTES = 64 * 1024;

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the id instead of silently dropping it.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const loneSurrogate = /\p{Cs}/u;

/** Where in a message a reader or writer is, for error messages. */
class Cursor {
  scope = '';
  item = -1;

  name(what: string): string {
    const at = this.item >= 0 ? `${this.scope}[${this.item}]` : this.scope;
    return at === '' ? what : `${at}.${what}`;
  }

  enter(scope: string, item = -1): void {
    this.scope = scope;
    this.item = item;
  }
}

export class Writer extends Cursor {
  #buf: Uint8Array;
  #pos = 0;

  private constructor(capacity: number) {
    super();
    this.#buf = new Uint8Array(capacity);
  }

  static #shared: Writer | undefined;

  /** A writer for a message of about `estimate` bytes: the shared one when it fits. */
  static forSize(estimate: number): Writer {
    if (estimate > SHARED_BYTES) return new Writer(estimate);
    const shared = (Writer.#shared ??= new Writer(SHARED_BYTES));
    shared.#pos = 0;
    shared.enter('');
    if (shared.#buf.length > SHARED_BYTES) shared.#buf = new Uint8Array(SHARED_BYTES);
    return shared;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  fail(reason: RejectReason, what: string, problem: string): never {
    throw new EncodeError(reason, `${this.name(what)} ${problem}`);
  }

  get length(): number {
    return this.#pos;
  }

  byte(value: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = value;
  }

  bool(value: boolean, what: string): void {
    if (typeof value !== 'boolean') this.fail('impossibleField', what, 'must be a boolean');
    this.byte(value ? 1 : 0);
  }

  uint(value: number, what: string): void {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail('impossibleField', what, `must be a non-negative safe integer, got ${String(value)}`);
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
    if (!(value instanceof Uint8Array)) this.fail('impossibleField', what, 'must be a Uint8Array');
    this.uint(value.length, what);
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  /** An id of at most MAX_ID_BYTES UTF-8 bytes; its length prefix is then always one byte. */
  id(value: string, what: string, allowEmpty = false): void {
    if (typeof value !== 'string') this.fail('impossibleField', what, 'must be a string');
    if (value.length === 0 && !allowEmpty) this.fail('impossibleField', what, 'must not be empty');
    this.#ensure(1 + value.length * 3);
    const buf = this.#buf;
    const start = this.#pos + 1;
    let written = 0;
    const n = value.length;
    if (n <= MAX_ID_BYTES) {
      for (; written < n; written++) {
        const c = value.charCodeAt(written);
        if (c >= 0x80) break;
        buf[start + written] = c;
      }
    }
    if (written < n) {
      // A lone surrogate would be replaced by U+FFFD and come back as a different id.
      if (loneSurrogate.test(value)) this.fail('impossibleField', what, 'is not well-formed UTF-16');
      written = utf8Encoder.encodeInto(value, buf.subarray(start)).written;
      if (written > MAX_ID_BYTES) this.fail('impossibleField', what, `is ${written} UTF-8 bytes, at most ${MAX_ID_BYTES} allowed`);
    }
    buf[this.#pos] = written;
    this.#pos = start + written;
  }

  /** The bytes written, in an exactly sized buffer (a structured clone copies the whole buffer). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

const readSlab = new Slab();

export class Reader extends Cursor {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;
  /** The sender named so far, attached to errors to help a transport report them. */
  from: string | undefined;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    super();
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** A DecodeError naming the field and the claimed sender, for `throw r.error(...)`. */
  error(reason: 'decode' | 'impossibleField' | 'unknownType', what: string, problem: string): DecodeError {
    return new DecodeError(reason, `${this.name(what)} ${problem}`, this.from);
  }

  #truncated(what: string, problem = 'is missing'): never {
    throw new DecodeError('decode', `truncated: ${this.name(what)} ${problem}`, this.from);
  }

  byte(what: string): number {
    if (this.#pos >= this.#end) this.#truncated(what);
    return this.#buf[this.#pos++]!;
  }

  bool(what: string): boolean {
    const value = this.byte(what);
    if (value > 1) throw this.error('decode', what, `is not a boolean (byte ${value})`);
    return value === 1;
  }

  uint(what: string): number {
    const first = this.byte(what);
    if (first < 0x80) return first;
    const value = scanVarint(this.#buf, this.#pos - 1, this.#end);
    if (value >= 0) {
      this.#pos += varintSize(value) - 1;
      return value;
    }
    if (value === VARINT_TRUNCATED) this.#truncated(what);
    if (value === VARINT_OVERLONG) throw this.error('decode', what, 'is an over-long varint');
    if (value === VARINT_UNSAFE) throw this.error('decode', what, 'exceeds 2^53 - 1');
    throw this.error('decode', what, 'is a varint longer than 8 bytes');
  }

  /**
   * A length-prefixed byte string, copied so the message never aliases the frame (which may
   * be a socket's read buffer). Small ones are copied into a shared slab (see Slab).
   */
  bytes(what: string): Uint8Array {
    const length = this.uint(what);
    if (length > this.remaining) this.#truncated(what, `needs ${length} bytes, ${this.remaining} left`);
    const start = this.#pos;
    this.#pos += length;
    return readSlab.copy(this.#buf, start, this.#pos);
  }

  id(what: string, allowEmpty = false): string {
    const length = this.byte(what);
    if (length > MAX_ID_BYTES) throw this.error('decode', what, `is ${length} bytes, at most ${MAX_ID_BYTES} allowed`);
    if (length === 0 && !allowEmpty) throw this.error('impossibleField', what, 'is empty');
    if (length > this.remaining) this.#truncated(what, `needs ${length} bytes, ${this.remaining} left`);
    const buf = this.#buf;
    const start = this.#pos;
    this.#pos += length;
    let text = '';
    for (let i = start; i < this.#pos; i++) {
      const c = buf[i]!;
      if (c >= 0x80) {
        try {
          return utf8Decoder.decode(buf.subarray(start, this.#pos));
        } catch {
          throw this.error('decode', what, 'is not valid UTF-8');
        }
      }
      text += String.fromCharCode(c);
    }
    return text;
  }

  /** A count of items each at least `minItemBytes` long; refuses counts the remaining input cannot hold. */
  count(what: string, minItemBytes: number): number {
    const n = this.uint(what);
    if (n * minItemBytes > this.remaining) this.#truncated(what, `claims ${n} items, ${this.remaining} bytes left`);
    return n;
  }

  expectEnd(what: string): void {
    if (this.#pos !== this.#end) throw new DecodeError('decode', `${this.#end - this.#pos} trailing bytes after ${what}`, this.from);
  }
}
