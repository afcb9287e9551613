import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/codec/message.ts';
import { DecodeError } from '../../src/codec/errors.ts';
import { VarintError, readVarint, scanVarint, varintSize, writeVarint } from '../../src/codec/varint.ts';
import { EnvelopeCodec, EnvelopeError } from '../../src/node/envelope.ts';

describe('LEB128 varint', () => {
  it('reads back what it writes, in exactly varintSize bytes', () => {
    for (const value of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const out = new Uint8Array(varintSize(value));
      expect(writeVarint(out, 0, value)).toBe(out.length);
      expect(readVarint(out, 0)).toEqual([value, out.length]);
      expect(scanVarint(out, 0, out.length)).toBe(value);
    }
  });

  it('refuses over-long encodings, so every value has one encoding', () => {
    expect(readVarint(Uint8Array.of(0x00), 0)).toEqual([0, 1]);
    for (const overLong of [Uint8Array.of(0x80, 0x00), Uint8Array.of(0x81, 0x00), Uint8Array.of(0xff, 0x80, 0x00)]) {
      expect(() => readVarint(overLong, 0)).toThrow(new VarintError('over-long varint'));
    }
  });

  it('refuses truncated, too long and unsafe varints', () => {
    expect(() => readVarint(Uint8Array.of(0x80), 0)).toThrow(/truncated/);
    expect(() => readVarint(new Uint8Array(9).fill(0xff), 0)).toThrow(/longer than 8 bytes/);
    expect(() => readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0)).toThrow(/exceeds 2\^53/);
  });

  it('is the same rule in the entry envelope and on the wire', () => {
    const codec = new EnvelopeCodec('node-a', 7);
    const one = codec.encode(1, Uint8Array.of(9));
    const at = one.findIndex((byte, i) => byte !== codec.encode(2, Uint8Array.of(9))[i]);
    const overLong = Uint8Array.of(...one.subarray(0, at), 0x81, 0x00, ...one.subarray(at + 1));
    expect(() => codec.decode(overLong)).toThrow(EnvelopeError);
    expect(() => codec.decode(overLong)).toThrow(/over-long/);

    const message = encodeMessage({ type: 'voteResp', from: 'a', to: 'b', term: 5, pre: false, reject: true, storeTag: 0 });
    const term = message.indexOf(5);
    const wire = Uint8Array.of(...message.subarray(0, term), 0x85, 0x00, ...message.subarray(term + 1));
    expect(() => decodeMessage(wire)).toThrow(DecodeError);
    expect(() => decodeMessage(wire)).toThrow(/term is an over-long varint/);
  });
});
