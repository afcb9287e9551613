import { describe, expect, it } from 'vitest';
import { EnvelopeCodec, EnvelopeError } from '../../src/node/envelope.ts';
import { Slab } from '../../src/slab.ts';

describe('entry envelope', () => {
  const a = new EnvelopeCodec('node-a', 7);
  const aLater = new EnvelopeCodec('node-a', 8);
  const b = new EnvelopeCodec('node-b', 7);
  const payload = new Uint8Array([1, 2, 3]);

  it('round-trips origin, session and payload; only the same id and incarnation see it as theirs', () => {
    const bytes = a.encode(300, payload, { clientId: '42', seq: 9 });
    const decoded = a.decode(bytes);
    expect(decoded).toMatchObject({ originSeq: 300, mine: true, session: { clientId: '42', seq: 9 }, register: false });
    expect([...decoded.payload]).toEqual([1, 2, 3]);
    expect(b.decode(bytes).mine).toBe(false);
    expect(aLater.decode(bytes).mine).toBe(false);
    expect(b.decode(bytes).originSeq).toBe(300);
  });

  it('marks session registrations', () => {
    const decoded = b.decode(a.encodeRegister(5));
    expect(decoded).toMatchObject({ register: true, originSeq: 5, mine: false, session: undefined });
  });

  it('refuses bytes it cannot have produced', () => {
    expect(() => a.decode(new Uint8Array(0))).toThrow(EnvelopeError);
    expect(() => a.decode(new Uint8Array([0x20]))).toThrow(EnvelopeError);
    expect(() => a.decode(new Uint8Array([0x11, 40, 1]))).toThrow(EnvelopeError);
    const register = a.encodeRegister(1);
    expect(() => a.decode(new Uint8Array([...register, 9]))).toThrow(EnvelopeError);
    const truncated = a.encode(1, payload, { clientId: 'c', seq: 1 }).subarray(0, 14);
    expect(() => a.decode(truncated)).toThrow();
  });
});

describe('entry bytes from shared slabs', () => {
  it('gives every envelope bytes of its own, across slab boundaries', () => {
    const codec = new EnvelopeCodec('node-a', 1);
    const encoded: Uint8Array[] = [];
    // Enough envelopes of uneven sizes to fill several slabs.
    for (let i = 0; i < 3000; i++) encoded.push(codec.encode(i, new Uint8Array(1 + (i % 40)).fill(i & 0xff)));
    const buffers = new Set(encoded.map((bytes) => bytes.buffer));
    expect(buffers.size).toBeGreaterThan(2);
    encoded.forEach((bytes, i) => {
      const decoded = codec.decode(bytes);
      expect(decoded.originSeq).toBe(i);
      expect(decoded.payload.length).toBe(1 + (i % 40));
      expect(decoded.payload.every((byte) => byte === (i & 0xff))).toBe(true);
    });
  });

  it('gives large arrays buffers of their own', () => {
    const slab = new Slab();
    const big = slab.alloc(Slab.MAX_ITEM + 1);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(Slab.MAX_ITEM + 1);
    const small = [slab.alloc(10), slab.alloc(10)];
    expect(small[0]!.buffer).toBe(small[1]!.buffer);
    expect(small[1]!.byteOffset).toBe(small[0]!.byteOffset + 10);
  });

  it('takes its sizes from the constructor, and copies ranges', () => {
    const slab = new Slab(64, 16);
    const source = Uint8Array.from({ length: 40 }, (_, i) => i);
    const first = slab.copy(source, 0, 16);
    const second = slab.copy(source, 16, 32);
    expect(first.buffer.byteLength).toBe(64);
    expect([...second]).toEqual([...source.subarray(16, 32)]);
    source.fill(0);
    expect(first[5]).toBe(5);
    expect(slab.alloc(17).buffer.byteLength).toBe(17);
    expect(slab.alloc(16).buffer).toBe(first.buffer);
    expect(slab.alloc(16).buffer).toBe(first.buffer);
    expect(slab.alloc(8).buffer).not.toBe(first.buffer);
  });
});
