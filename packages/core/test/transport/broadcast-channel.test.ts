import { afterEach, describe, expect, it } from 'vitest';
import {
  broadcastChannelTransport,
  encodeFrame,
  type BroadcastChannelTransport,
  type Message,
  type Rejection,
} from '../../src/index.ts';
import { waitFor } from '../../src/testing/index.ts';

const ping = (from: string, to: string, term = 1): Message => ({ type: 'timeoutNow', from, to, term });
let run = 0;
const open: { close(): unknown }[] = [];

afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

function node(options: Omit<Parameters<typeof broadcastChannelTransport>[0], 'channel'> & { channel: string }) {
  const transport = broadcastChannelTransport(options);
  const received: Message[] = [];
  const rejected: (Rejection & { from?: string })[] = [];
  transport.start({ message: (m) => received.push(m), rejected: (r) => rejected.push(r) });
  open.push(transport);
  return { transport, received, rejected };
}

function rawChannel(name: string): BroadcastChannel {
  const channel = new BroadcastChannel(name);
  open.push(channel);
  return channel;
}

describe('broadcastChannelTransport', () => {
  it('reports malformed, foreign and oversized frames without delivering them', async () => {
    const channel = `bc-${run++}`;
    const b = node({ channel, nodeId: 'b', clusterId: 'blue', maxFrameBytes: 4096 });
    const raw = rawChannel(channel);
    raw.postMessage('not bytes');
    raw.postMessage(Uint8Array.of(0xa7, 1, 0, 0, 99));
    raw.postMessage(await encodeFrame({ clusterId: 'green', message: ping('a', 'b') }));
    raw.postMessage(await encodeFrame({ clusterId: 'blue', message: { type: 'readIndex', from: 'a', to: 'b', term: 1, context: new Uint8Array(5000) } }));
    raw.postMessage(await encodeFrame({ clusterId: 'blue', message: ping('a', 'b', 7) }));
    await waitFor(() => b.received.length === 1 && b.rejected.length === 4, 2000, 'one delivery and four rejections');
    expect(b.received).toEqual([ping('a', 'b', 7)]);
    expect(b.rejected.map((r) => r.reason)).toEqual(['decode', 'unknownType', 'clusterMismatch', 'oversized']);
    expect(b.rejected[2]).toMatchObject({ from: 'a' });
    expect((b.transport as BroadcastChannelTransport).stats).toMatchObject({ delivered: 1, rejected: 4 });
  });

  it('with a secret, refuses forged and unauthenticated frames', async () => {
    const channel = `bc-${run++}`;
    const b = node({ channel, nodeId: 'b', secret: 'team' });
    const raw = rawChannel(channel);
    raw.postMessage(await encodeFrame({ clusterId: '', message: ping('leader', 'b', 50) }, { secret: 'guess' }));
    raw.postMessage(await encodeFrame({ clusterId: '', message: ping('leader', 'b', 51) }));
    raw.postMessage(await encodeFrame({ clusterId: '', message: ping('leader', 'b', 52) }, { secret: 'team' }));
    await waitFor(() => b.received.length === 1 && b.rejected.length === 2, 2000, 'one delivery and two rejections');
    expect(b.received.map((m) => m.term)).toEqual([52]);
    expect(b.rejected.map((r) => [r.reason, r.from])).toEqual([
      ['auth', 'leader'],
      ['auth', 'leader'],
    ]);
  });

  it('keeps per-sender order with authentication', async () => {
    const channel = `bc-${run++}`;
    const a = node({ channel, nodeId: 'a', secret: 'k' });
    const b = node({ channel, nodeId: 'b', secret: 'k' });
    for (let i = 0; i < 300; i++) a.transport.send(ping('a', 'b', i));
    await waitFor(() => b.received.length === 300, 5000, '300 messages');
    expect(b.received.map((m) => m.term)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('skips frames for other nodes silently', async () => {
    const channel = `bc-${run++}`;
    const a = node({ channel, nodeId: 'a' });
    const b = node({ channel, nodeId: 'b' });
    const c = node({ channel, nodeId: 'c' });
    a.transport.send(ping('a', 'b'));
    await waitFor(() => b.received.length === 1, 2000, 'b receives');
    await waitFor(() => (c.transport as BroadcastChannelTransport).stats.ignored === 1, 2000, 'c skips the frame');
    expect(c.rejected).toEqual([]);
  });

  it('reports an outgoing message it cannot encode or that claims another sender', async () => {
    const a = node({ channel: `bc-${run++}`, nodeId: 'a' });
    a.transport.send({ ...ping('a', 'b'), term: -1 });
    a.transport.send(ping('z', 'b'));
    await waitFor(() => a.rejected.length === 2, 2000, 'two reports');
    expect(a.rejected.map((r) => r.reason).sort()).toEqual(['auth', 'impossibleField']);
    expect((a.transport as BroadcastChannelTransport).stats.dropped).toBe(2);
  });

  it('accepts id as an alias of nodeId and needs one of them', () => {
    const t = broadcastChannelTransport({ channel: 'x', id: 'n1' });
    expect(t.id).toBe('n1');
    expect(() => broadcastChannelTransport({ channel: 'x' })).toThrow(TypeError);
  });
});

describe('broadcastChannelTransport resilience', () => {
  it('a throwing message handler does not stop later deliveries', async () => {
    const channel = `bc-resilience-${run++}`;
    const a = node({ channel, nodeId: 'a' });
    const b = broadcastChannelTransport({ channel, nodeId: 'b' });
    open.push(b);
    const got: number[] = [];
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      b.start({
        message: (m) => {
          got.push(m.term);
          if (m.term === 1) throw new Error('handler bug');
        },
      });
      a.transport.send(ping('a', 'b', 1));
      a.transport.send(ping('a', 'b', 2));
      await waitFor(() => got.length === 2 && errors.length === 1, 2000, 'both delivered, one error surfaced');
      expect(got).toEqual([1, 2]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
