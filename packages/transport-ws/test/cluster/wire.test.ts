/**
 * What relays tell each other through Redis: frames, probes and room changes read back as
 * written, and anything else is refused with a named error, counted by the relay that got it,
 * and never takes it down.
 */
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { startRelay } from '../../src/relay/index.ts';
import { EnvelopeKind } from '../../src/protocol.ts';
import { BusKind, BusMessageError, decodeBusMessage, decodeRoomEvent, encodeFrame, encodeProbe, encodeProbeReply } from '../../src/relay/cluster/wire.ts';
import { bytes, connectClient, text, until } from '../relay-client.ts';
import { startRedis } from './redis.ts';

it('reads back frames, probes and room changes as written, node ids with newlines and all', () => {
  const frame = decodeBusMessage(encodeFrame('röom', 'n\n1', bytes('payload')));
  expect(frame.kind === BusKind.frame && [frame.room, frame.to, text(frame.frame)]).toEqual(['röom', 'n\n1', 'payload']);
  const probe = decodeBusMessage(encodeProbe({ id: 7, room: 'r', node: 'n', from: 'relay' }));
  expect(probe).toEqual({ kind: BusKind.probe, request: { id: 7, room: 'r', node: 'n', from: 'relay' } });
  expect(decodeBusMessage(encodeProbeReply({ id: 7, answered: true }))).toEqual({ kind: BusKind.probeReply, reply: { id: 7, answered: true } });
  expect(decodeRoomEvent('j\n12\nrelay-id\nnode\nwith newline')).toEqual({ kind: 'join', version: 12, relay: 'relay-id', node: 'node\nwith newline' });
});

it.each([
  ['an empty message', Buffer.alloc(0)],
  ['an unknown kind', Buffer.from([9, 1, 2])],
  ['a frame cut inside the room name', Buffer.from([BusKind.frame, 10, 0x61])],
  ['a frame cut inside the receiver', Buffer.from([BusKind.frame, 1, 0x61, 5, 0x62])],
  ['a probe that is not JSON', Buffer.concat([Buffer.from([BusKind.probe]), Buffer.from('{')])],
  ['a probe without its fields', Buffer.concat([Buffer.from([BusKind.probe]), Buffer.from('{"id":1}')])],
  ['a reply without an answer', Buffer.concat([Buffer.from([BusKind.probeReply]), Buffer.from('{"id":1}')])],
])('refuses %s with a BusMessageError', (_, message) => {
  expect(() => decodeBusMessage(message)).toThrow(BusMessageError);
});

it.each(['', 'j', 'x\n1\nrelay\nnode', 'j\nnot a number\nrelay\nnode', 'l\n1\nrelay'])('refuses the room change %j with a BusMessageError', (message) => {
  expect(() => decodeRoomEvent(message)).toThrow(BusMessageError);
});

it('counts garbage on its channels and keeps serving its rooms', async () => {
  const redis = await startRedis();
  const publisher = new Redis(redis.url);
  try {
    const [a, b] = await Promise.all([startRelay({ port: 0, redis: redis.url }), startRelay({ port: 0, redis: redis.url })]);
    const x = connectClient(a.url, { room: 'room', node: 'x' });
    await x.welcome;
    const y = connectClient(b.url, { room: 'room', node: 'y' });
    await y.welcome;
    for (const relay of [a, b]) await publisher.publish(`webraft:to:${relay.stats().cluster!.relayId}`, Buffer.from([BusKind.frame, 200]));
    await publisher.publish('webraft:room:room', 'not a room change');
    await until(() => a.stats().cluster!.malformed === 2 && b.stats().cluster!.malformed === 2, 3000, 'the garbage counted');
    x.send('y', bytes('still here'));
    expect(text((await y.waitFor((e) => e.kind === EnvelopeKind.data)).payload)).toBe('still here');
    x.ws.close();
    y.ws.close();
    await Promise.all([a.close(), b.close()]);
  } finally {
    publisher.disconnect();
    await redis.stop();
  }
});
