import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/client/backoff.ts';
import { FaultRuleError, FaultTable, parseLinkFaultRule } from '../src/faults.ts';
import { decodeEnvelope, encodeBatchEnvelope, encodeEnvelope, EnvelopeError, EnvelopeKind, isFatalClose, CloseCode, packBatch, readdressEnvelope, unpackBatch } from '../src/protocol.ts';
import { mintRoomToken, type RoomTokenError, verifyRoomToken } from '../src/token.ts';

describe('Backoff', () => {
  it('grows exponentially up to the cap, with the jitter fraction drawn from random()', () => {
    const top = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 }, () => 0);
    expect(Array.from({ length: 6 }, () => top.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    const bottom = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 }, () => 0.999999);
    expect(Math.round(bottom.next())).toBe(50);
    top.reset();
    expect(top.next()).toBe(100);
  });
});

describe('FaultTable', () => {
  it('picks the most specific rule: pair, from → *, * → to, * → *', () => {
    const table = new FaultTable(() => 0.5);
    table.set('*', '*', { delayMs: 1 });
    table.set('*', 'b', { delayMs: 2 });
    table.set('a', '*', { delayMs: 3 });
    table.set('a', 'b', { delayMs: 4 });
    expect(table.decide('a', 'b')).toEqual({ drop: false, delayMs: 4 });
    expect(table.decide('a', 'c')).toEqual({ drop: false, delayMs: 3 });
    expect(table.decide('c', 'b')).toEqual({ drop: false, delayMs: 2 });
    expect(table.decide('c', 'd')).toEqual({ drop: false, delayMs: 1 });
  });

  it('cuts both ways unless one way, heals, isolates, and draws drops and jitter from random()', () => {
    let r = 0.3;
    const table = new FaultTable(() => r);
    table.cut('a', 'b');
    expect(table.decide('a', 'b').drop).toBe(true);
    expect(table.decide('b', 'a').drop).toBe(true);
    table.heal('a', 'b');
    table.cut('a', 'b', true);
    expect(table.decide('b', 'a').drop).toBe(false);
    table.heal();
    expect(table.list()).toEqual([]);
    table.isolate('c');
    expect(table.decide('c', 'x').drop).toBe(true);
    table.heal();
    table.set('a', 'b', { dropRate: 0.5, delayMs: 10, jitterMs: 10 });
    expect(table.decide('a', 'b')).toEqual({ drop: true });
    r = 0.7;
    expect(table.decide('a', 'b')).toEqual({ drop: false, delayMs: 17 });
    table.set('a', 'b', {});
    expect(table.list()).toEqual([]);
  });

  it('refuses bad rules with a typed error', () => {
    for (const bad of [null, {}, { from: 'a' }, { from: 'a', to: 'b', dropRate: 1.5 }, { from: 'a', to: 'b', delayMs: -1 }, { from: 'a', to: 'b', cut: 'yes' }]) {
      expect(() => parseLinkFaultRule(bad)).toThrow(FaultRuleError);
    }
    expect(parseLinkFaultRule({ from: 'a', to: '*', cut: true })).toEqual({ from: 'a', to: '*', cut: true });
  });
});

describe('envelopes', () => {
  it('round-trip and refuse malformed input with EnvelopeError', () => {
    const e = encodeEnvelope(EnvelopeKind.data, 'nœud', Uint8Array.of(1, 2, 3));
    const d = decodeEnvelope(e);
    expect([d.kind, d.peer, [...d.payload]]).toEqual([EnvelopeKind.data, 'nœud', [1, 2, 3]]);
    for (const bad of [Uint8Array.of(), Uint8Array.of(1), Uint8Array.of(7, 0), Uint8Array.of(1, 65), Uint8Array.of(1, 3, 97), Uint8Array.of(1, 1, 0xff)]) {
      expect(() => decodeEnvelope(bad)).toThrow(EnvelopeError);
    }
    expect(() => encodeEnvelope(EnvelopeKind.data, 'x'.repeat(65), new Uint8Array())).toThrow(EnvelopeError);
  });

  it('readdress to the sender, in place when the ids are as long', () => {
    const sent = encodeEnvelope(EnvelopeKind.data, 'bb', Uint8Array.of(9, 8));
    const same = readdressEnvelope(sent, decodeEnvelope(sent), new TextEncoder().encode('aa'));
    expect(same).toBe(sent);
    expect(decodeEnvelope(same)).toMatchObject({ kind: EnvelopeKind.data, peer: 'aa', payload: Uint8Array.of(9, 8) });
    const longer = readdressEnvelope(sent, decodeEnvelope(sent), new TextEncoder().encode('nœud'));
    expect(decodeEnvelope(longer)).toMatchObject({ kind: EnvelopeKind.data, peer: 'nœud', payload: Uint8Array.of(9, 8) });
  });

  it('never overwrite an envelope already handed out', () => {
    const first = encodeEnvelope(EnvelopeKind.data, 'a', new Uint8Array(100).fill(1));
    const copy = [...first];
    // Enough envelopes, of sizes around the shared slab's limit, to go through several slabs.
    const later = Array.from({ length: 2000 }, (_, i) => encodeEnvelope(EnvelopeKind.data, 'b', new Uint8Array((i * 37) % 9000).fill(i & 0xff)));
    expect([...first]).toEqual(copy);
    later.forEach((envelope, i) => {
      expect(envelope.length).toBe(2 + 1 + ((i * 37) % 9000));
      expect(envelope.subarray(3).every((byte) => byte === (i & 0xff))).toBe(true);
    });
  });

  it('read peer ids the same whether seen before or not', () => {
    const encoder = new TextEncoder();
    // Same length and last byte (they share a slot of the id cache), different ids.
    const ids = ['ab', 'bb', 'nœud', 'a', 'b', 'b', 'ab'];
    for (const id of ids) expect(decodeEnvelope(encodeEnvelope(EnvelopeKind.data, id, Uint8Array.of(1))).peer).toBe(id);
    // A valid id cached in the slot does not vouch for invalid bytes of the same shape.
    expect(decodeEnvelope(Uint8Array.of(1, 2, 0x62, 0x62)).peer).toBe('bb');
    expect(() => decodeEnvelope(Uint8Array.of(1, 2, 0xc3, 0x62))).toThrow(EnvelopeError);
    // The cache keeps a copy: rewriting the bytes an id was read from changes nothing.
    const bytes = Uint8Array.of(1, 2, ...encoder.encode('cd'));
    expect(decodeEnvelope(bytes).peer).toBe('cd');
    bytes.set(encoder.encode('xd'), 2);
    expect(decodeEnvelope(bytes).peer).toBe('xd');
  });

  it('classifies close codes', () => {
    expect([CloseCode.unauthorized, CloseCode.forbiddenOrigin, CloseCode.badRequest].every(isFatalClose)).toBe(true);
    // Replaced: another connection took the node id; the client retries and is back once the id is free.
    const retried = [CloseCode.goingAway, CloseCode.tooBig, CloseCode.replaced, CloseCode.roomFull, CloseCode.slowConsumer, CloseCode.overloaded, CloseCode.nodeIdInUse, CloseCode.slowSender, 1006];
    expect(retried.some(isFatalClose)).toBe(false);
  });
});

describe('batch payloads', () => {
  it('round-trip several frames and refuse lengths that run past the end', () => {
    const frames = [Uint8Array.of(1), Uint8Array.of(2, 3), new Uint8Array(300).fill(7)];
    expect(unpackBatch(packBatch(frames)).map((f) => [...f])).toEqual(frames.map((f) => [...f]));
    for (const [start, end] of [[0, 3], [1, 3], [0, 2], [2, 3]] as const) {
      expect(encodeBatchEnvelope('peer', frames, start, end)).toEqual(encodeEnvelope(EnvelopeKind.batch, 'peer', packBatch(frames.slice(start, end))));
    }
    const big = new Uint8Array(0x010203); // three non-zero length bytes
    expect(unpackBatch(decodeEnvelope(encodeBatchEnvelope('p', [big, frames[0]!], 0, 2)).payload).map((f) => f.length)).toEqual([big.length, 1]);
    const packed = packBatch(frames);
    for (const bad of [packed.subarray(0, packed.length - 1), packed.subarray(0, 3), Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0xff, 0, 0, 0, 1)]) {
      expect(() => unpackBatch(bad)).toThrow(EnvelopeError);
    }
  });
});

describe('room tokens', () => {
  const expected = { room: 'r', node: 'n', now: 1000 };
  const reason = (p: Promise<unknown>) => p.then(() => 'accepted', (e: RoomTokenError) => e.reason);

  it('accept a valid token and say why others are refused', async () => {
    const token = await mintRoomToken('s', { room: 'r', expiresAt: 2000 });
    expect(await verifyRoomToken('s', token, expected)).toEqual({ room: 'r', expiresAt: 2000 });
    expect(await reason(verifyRoomToken(new TextEncoder().encode('s'), token, expected))).toBe('accepted');
    expect(await reason(verifyRoomToken('t', token, expected))).toBe('signature');
    expect(await reason(verifyRoomToken('s', token, { ...expected, now: 2000 }))).toBe('expired');
    expect(await reason(verifyRoomToken('s', token, { ...expected, room: 'q' }))).toBe('wrongRoom');
    const bound = await mintRoomToken('s', { room: 'r', expiresAt: 2000, node: 'm' });
    expect(await reason(verifyRoomToken('s', bound, expected))).toBe('wrongNode');
    const [body, mac] = token.split('.');
    const tampered = `${body!.slice(0, -2)}x${body!.slice(-1)}.${mac}`;
    expect(await reason(verifyRoomToken('s', tampered, expected))).toBe('signature');
    for (const bad of ['', 'a', 'a.b.c', 'a.%%%', 'abcde.a']) expect(await reason(verifyRoomToken('s', bad, expected))).toBe('malformed');
  });
});
