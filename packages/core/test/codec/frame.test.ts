import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  EncodeError,
  FRAME_MAGIC,
  FRAME_VERSION,
  decodeFrame,
  encodeFrame,
  frameCodec,
  peekFrame,
  type Message,
} from '../../src/index.ts';
import { sampleMessages } from '../../src/testing/index.ts';

const hello: Message = { type: 'heartbeat', from: 'a', to: 'b', term: 4, commit: 2, context: Uint8Array.of(9) };

async function rejection(promise: Promise<unknown>): Promise<DecodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecodeError);
  return error as DecodeError;
}

describe('frames', () => {
  it('round-trip every message type, with and without a secret', async () => {
    for (const secret of [undefined, 'cluster secret', Uint8Array.of(1, 2, 3)]) {
      for (const message of sampleMessages('n1', 'n2')) {
        const bytes = await encodeFrame({ clusterId: 'c1', message }, secret === undefined ? {} : { secret });
        expect(bytes[0]).toBe(FRAME_MAGIC);
        expect(bytes[1]).toBe(FRAME_VERSION);
        const frame = await decodeFrame(bytes, secret === undefined ? { clusterId: 'c1' } : { clusterId: 'c1', secret });
        expect(frame).toEqual({ clusterId: 'c1', message });
      }
    }
  });

  it('accepts an ArrayBuffer', async () => {
    const bytes = await encodeFrame({ clusterId: '', message: hello });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect((await decodeFrame(buffer)).message).toEqual(hello);
  });

  it('refuses unknown versions, magic and flags by name', async () => {
    const bytes = await encodeFrame({ clusterId: '', message: hello });
    const version = bytes.slice();
    version[1] = 9;
    expect((await rejection(decodeFrame(version))).message).toMatch(/unsupported frame version 9/);
    const magic = bytes.slice();
    magic[0] = 0x7b;
    expect((await rejection(decodeFrame(magic))).message).toMatch(/not a webraft frame/);
    const flags = bytes.slice();
    flags[2] = 0x80;
    expect((await rejection(decodeFrame(flags))).message).toMatch(/unknown frame flags/);
    const unknownType = bytes.slice();
    unknownType[4] = 200;
    expect(await rejection(decodeFrame(unknownType))).toMatchObject({ reason: 'unknownType' });
    expect((await rejection(decodeFrame('hello' as unknown as Uint8Array))).message).toMatch(/must be a Uint8Array or ArrayBuffer, got string/);
  });

  it('enforces maxFrameBytes on both sides', async () => {
    const big: Message = { ...hello, context: new Uint8Array(2000) };
    await expect(encodeFrame({ clusterId: '', message: big }, { maxFrameBytes: 1000 })).rejects.toMatchObject({
      name: 'EncodeError',
      reason: 'oversized',
    });
    const bytes = await encodeFrame({ clusterId: '', message: big });
    expect(await rejection(decodeFrame(bytes, { maxFrameBytes: 1000 }))).toMatchObject({ reason: 'oversized' });
    expect((await decodeFrame(bytes, { maxFrameBytes: bytes.length })).message).toEqual(big);
  });

  it('checks cluster and recipient', async () => {
    const bytes = await encodeFrame({ clusterId: 'blue', message: hello });
    expect(await rejection(decodeFrame(bytes, { clusterId: 'green' }))).toMatchObject({ reason: 'clusterMismatch', from: 'a' });
    expect(await rejection(decodeFrame(bytes, { to: 'c' }))).toMatchObject({ reason: 'wrongRecipient' });
    expect((await decodeFrame(bytes, { clusterId: 'blue', to: 'b' })).message).toEqual(hello);
  });

  describe('authentication', () => {
    it('refuses a wrong secret, an altered byte, a missing or an unexpected MAC', async () => {
      const signed = await encodeFrame({ clusterId: 'c', message: hello }, { secret: 'right' });
      expect(await rejection(decodeFrame(signed, { secret: 'wrong' }))).toMatchObject({ reason: 'auth' });
      const plain = await encodeFrame({ clusterId: 'c', message: hello });
      expect((await rejection(decodeFrame(plain, { secret: 'right' }))).message).toMatch(/not authenticated/);
      expect((await rejection(decodeFrame(signed))).message).toMatch(/no cluster secret is configured/);
      for (let i = 3; i < signed.length; i++) {
        const altered = signed.slice();
        altered[i] ^= 0x01;
        const error = await rejection(decodeFrame(altered, { secret: 'right' }));
        expect(['auth', 'decode', 'impossibleField', 'unknownType']).toContain(error.reason);
      }
    });

    it('a forged sender never verifies', async () => {
      const forged = await encodeFrame({ clusterId: 'c', message: { ...hello, from: 'leader' } }, { secret: 'guess' });
      expect(await rejection(decodeFrame(forged, { secret: 'real' }))).toMatchObject({ reason: 'auth', from: 'leader' });
    });

    it('accepts a CryptoKey', async () => {
      const key = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(7), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
        'verify',
      ]);
      const bytes = await encodeFrame({ clusterId: '', message: hello }, { secret: key });
      expect((await decodeFrame(bytes, { secret: new Uint8Array(32).fill(7) })).message).toEqual(hello);
    });

    it('refuses an empty secret', async () => {
      await expect(encodeFrame({ clusterId: '', message: hello }, { secret: '' })).rejects.toThrow(/must not be empty/);
    });
  });

  it('peekFrame reads the routing header without verifying', async () => {
    const bytes = await encodeFrame({ clusterId: 'room', message: hello }, { secret: 's' });
    expect(peekFrame(bytes)).toEqual({ version: 1, authenticated: true, clusterId: 'room', type: 'heartbeat', from: 'a', to: 'b' });
    expect(() => peekFrame(bytes.subarray(0, 6))).toThrow(DecodeError);
  });

  it('frameCodec binds cluster and secret', async () => {
    const codec = frameCodec({ clusterId: 'c', secret: 'k' });
    const other = frameCodec({ clusterId: 'd', secret: 'k' });
    const bytes = await codec.encode(hello);
    expect(await codec.decode(bytes, 'b')).toEqual(hello);
    expect(await rejection(codec.decode(bytes, 'x'))).toMatchObject({ reason: 'wrongRecipient' });
    expect(await rejection(other.decode(bytes))).toMatchObject({ reason: 'clusterMismatch' });
  });

  it('frameCodec without a secret also encodes and decodes without a Promise, to the same bytes', async () => {
    expect(frameCodec({ secret: 'k' }).encodeSync).toBeUndefined();
    const codec = frameCodec({ clusterId: 'c', maxFrameBytes: 200 });
    for (const message of sampleMessages()) {
      let bytes: Uint8Array;
      try {
        bytes = codec.encodeSync!(message);
      } catch (error) {
        await expect(codec.encode(message)).rejects.toMatchObject({ reason: (error as EncodeError).reason });
        continue;
      }
      expect(bytes).toEqual(await codec.encode(message));
      expect(codec.decodeSync!(bytes, message.to)).toEqual(await codec.decode(bytes, message.to));
    }
    const signed = await frameCodec({ clusterId: 'c', secret: 'k' }).encode(hello);
    expect(() => codec.decodeSync!(signed)).toThrow(DecodeError);
    expect(() => frameCodec({ clusterId: 'd' }).decodeSync!(codec.encodeSync!(hello))).toThrow(/cluster/);
  });

  it('decoded bytes are copies: changing or reusing the frame changes no message', () => {
    const codec = frameCodec({ clusterId: 'c' });
    const app: Message = {
      type: 'app', from: 'a', to: 'b', term: 3, prevLogIndex: 4, prevLogTerm: 3, commit: 4,
      entries: [5, 6, 7].map((index) => ({ index, term: 3, type: 'normal' as const, data: Uint8Array.of(index, index, index) })),
    };
    const frame = codec.encodeSync!(app);
    const decoded = codec.decodeSync!(frame, 'b');
    const again = codec.decodeSync!(frame, 'b');
    frame.fill(0);
    expect(decoded).toEqual(app);
    expect(again).toEqual(app);
    if (decoded.type !== 'app' || again.type !== 'app') throw new Error('not an app');
    decoded.entries[0]!.data[0] = 99;
    expect(again.entries[0]!.data[0]).toBe(5);
    expect(decoded.entries[1]!.data[0]).toBe(6);
  });

  it('frameCodec checks the recipient on every decode, whichever it saw before', () => {
    const codec = frameCodec({ clusterId: 'c' });
    const bytes = codec.encodeSync!(hello);
    expect(codec.decodeSync!(bytes, 'b')).toEqual(hello);
    expect(() => codec.decodeSync!(bytes, 'x')).toThrow(/not x/);
    expect(codec.decodeSync!(bytes, 'b')).toEqual(hello);
    expect(codec.decodeSync!(bytes)).toEqual(hello);
    for (let i = 0; i < 100; i++) expect(() => codec.decodeSync!(bytes, `n${i}`)).toThrow(DecodeError);
    expect(codec.decodeSync!(bytes, 'b')).toEqual(hello);
  });

  it('encodeFrame refuses an invalid message with an EncodeError', async () => {
    await expect(encodeFrame({ clusterId: '', message: { ...hello, term: 1.5 } })).rejects.toBeInstanceOf(EncodeError);
    await expect(encodeFrame({ clusterId: 'x'.repeat(65), message: hello })).rejects.toThrow(/clusterId is 65 UTF-8 bytes/);
  });
});
