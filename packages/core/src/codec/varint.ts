/**
 * Unsigned LEB128 for non-negative safe integers (up to 2^53 − 1): the one varint of the core,
 * used by the wire format, the entry envelope, the snapshot image and read contexts. Only the
 * shortest encoding of a value is accepted — a last byte of zero after a continuation byte is
 * over-long — so every value has exactly one encoding and a decoded value's length is
 * `varintSize(value)`. Arithmetic instead of bit operators past 31 bits keeps large values exact.
 */

export class VarintError extends Error {
  override readonly name = 'VarintError';
}

/** `scanVarint` results that are not a value: what is wrong with the bytes. */
export const VARINT_TRUNCATED = -1;
export const VARINT_OVERLONG = -2;
export const VARINT_UNSAFE = -3;
const VARINT_TOO_LONG = -4;

/** The message for one of the codes `scanVarint` returns. */
export function varintProblem(code: number): string {
  if (code === VARINT_TRUNCATED) return 'truncated varint';
  if (code === VARINT_OVERLONG) return 'over-long varint';
  if (code === VARINT_UNSAFE) return 'varint exceeds 2^53 - 1';
  return 'varint longer than 8 bytes';
}

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes `value` at `pos`; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[pos++] = value;
  return pos;
}

/**
 * The varint at `data[pos..end)`: its value (it ends at `pos + varintSize(value)`), or one of
 * the negative `VARINT_*` codes. Callers turn a code into their own typed error; nothing is
 * allocated on the way.
 */
export function scanVarint(data: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= end) return VARINT_TRUNCATED;
    const byte = data[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0 && i > 0) return VARINT_OVERLONG;
      return Number.isSafeInteger(value) ? value : VARINT_UNSAFE;
    }
    scale *= 0x80;
  }
  return VARINT_TOO_LONG;
}

/**
 * Returns `[value, position after it]`.
 * @throws VarintError on a truncated, over-long or too large varint
 */
export function readVarint(data: Uint8Array, pos: number): [number, number] {
  const value = scanVarint(data, pos, data.length);
  if (value < 0) throw new VarintError(varintProblem(value));
  return [value, pos + varintSize(value)];
}
