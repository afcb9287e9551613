/**
 * Unsigned LEB128 for non-negative safe integers (up to 2^53 − 1), used by the entry envelope
 * and the snapshot image. Arithmetic instead of bit operators past 31 bits keeps large values exact.
 */

export class VarintError extends Error {
  override readonly name = 'VarintError';
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

/** Returns `[value, position after it]`. */
export function readVarint(data: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = data[pos++];
    if (byte === undefined) throw new VarintError('truncated varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value)) throw new VarintError('varint exceeds 2^53');
      return [value, pos];
    }
    scale *= 0x80;
  }
  throw new VarintError('varint too long');
}
