import { describe, expect, it } from 'vitest';
import type { Message, Rejection } from '../../src/index.ts';
import { createMemoryNetwork } from '../../src/testing/index.ts';
import { seededRandom as seeded } from '../../src/testing/random.ts';

const ping = (from: string, to: string, term: number): Message => ({ type: 'timeoutNow', from, to, term });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));


function cluster(ids: string[], options?: Parameters<typeof createMemoryNetwork>[0]) {
  const network = createMemoryNetwork(options);
  const inbox = new Map<string, Message[]>();
  const rejected = new Map<string, Rejection[]>();
  for (const id of ids) {
    inbox.set(id, []);
    rejected.set(id, []);
    network.transport(id).start({ message: (m) => inbox.get(id)!.push(m), rejected: (r) => rejected.get(id)!.push(r) });
  }
  const send = (m: Message) => network.transport(m.from).send(m);
  return { network, inbox, rejected, send };
}

describe('createMemoryNetwork', () => {
  it('delivers asynchronously, in order per link, and counts', async () => {
    const { network, inbox, send } = cluster(['a', 'b']);
    for (let i = 0; i < 100; i++) send(ping('a', 'b', i));
    expect(inbox.get('b')).toHaveLength(0);
    await Promise.resolve();
    expect(inbox.get('b')!.map((m) => m.term)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(network.stats).toMatchObject({ sent: 100, delivered: 100, dropped: 0 });
  });

  it('partition cuts links between groups both ways until healAll', async () => {
    const { network, inbox, send } = cluster(['a', 'b', 'c']);
    network.partition(['a'], ['b', 'c']);
    send(ping('a', 'b', 1));
    send(ping('c', 'a', 1));
    send(ping('b', 'c', 1));
    await flush();
    expect(inbox.get('b')).toHaveLength(0);
    expect(inbox.get('a')).toHaveLength(0);
    expect(inbox.get('c')).toHaveLength(1);
    network.healAll();
    send(ping('a', 'b', 2));
    await flush();
    expect(inbox.get('b')).toHaveLength(1);
    expect(network.stats.dropped).toBe(2);
  });

  it('cut and heal act on one direction; isolate on every link of a node', async () => {
    const { network, inbox, send } = cluster(['a', 'b', 'c']);
    network.cut('a', 'b');
    send(ping('a', 'b', 1));
    send(ping('b', 'a', 1));
    await flush();
    expect([inbox.get('a')!.length, inbox.get('b')!.length]).toEqual([1, 0]);
    network.heal('a', 'b');
    network.isolate('c');
    send(ping('a', 'b', 2));
    send(ping('a', 'c', 2));
    send(ping('c', 'b', 2));
    await flush();
    expect([inbox.get('b')!.length, inbox.get('c')!.length]).toEqual([1, 0]);
  });

  it('drops and duplicates deterministically from a seeded random', async () => {
    const run = async () => {
      const { network, inbox, send } = cluster(['a', 'b'], { random: seeded(42), dropRate: 0.3, duplicateRate: 0.2 });
      for (let i = 0; i < 200; i++) send(ping('a', 'b', i));
      await flush();
      return { terms: inbox.get('b')!.map((m) => m.term), stats: { ...network.stats } };
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.stats.dropped).toBeGreaterThan(30);
    expect(first.stats.duplicated).toBeGreaterThan(10);
    expect(first.terms.length).toBe(200 - first.stats.dropped + first.stats.duplicated);
  });

  it('delays through the injected timer', async () => {
    const timers: { callback: () => void; ms: number }[] = [];
    const { inbox, send, network } = cluster(['a', 'b'], {
      delayMs: { min: 10, max: 20 },
      random: () => 0.5,
      setTimeout: (callback, ms) => timers.push({ callback, ms }),
    });
    send(ping('a', 'b', 1));
    await flush();
    expect(inbox.get('b')).toHaveLength(0);
    expect(timers.map((t) => t.ms)).toEqual([15]);
    timers[0]!.callback();
    expect(inbox.get('b')).toHaveLength(1);
    network.setDelay(0);
    send(ping('a', 'b', 2));
    await flush();
    expect(inbox.get('b')).toHaveLength(2);
  });

  it('refuses a forged sender and reports it to the recipient', async () => {
    const { network, inbox, rejected } = cluster(['a', 'b', 'c']);
    network.transport('a').send(ping('c', 'b', 1));
    await flush();
    expect(inbox.get('b')).toHaveLength(0);
    expect(rejected.get('b')).toEqual([expect.objectContaining({ reason: 'auth', from: 'a' })]);
    expect(network.stats.forged).toBe(1);
  });

  it('a throwing handler does not cost other nodes their messages', async () => {
    const network = createMemoryNetwork();
    const got: Message[] = [];
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      network.transport('a').start({ message: () => { throw new Error('boom'); } });
      network.transport('b').start({ message: (m) => got.push(m) });
      network.transport('c').send(ping('c', 'a', 1));
      network.transport('c').send(ping('c', 'b', 1));
      await flush();
      expect(got).toHaveLength(1);
      expect(errors).toEqual([expect.objectContaining({ message: 'boom' })]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });

  it('a restarted node gets a fresh transport under the same id', async () => {
    const network = createMemoryNetwork();
    const first = network.transport('a');
    await first.close();
    const second = network.transport('a');
    expect(second).not.toBe(first);
    const got: Message[] = [];
    second.start({ message: (m) => got.push(m) });
    network.transport('b').send(ping('b', 'a', 1));
    await flush();
    expect(got).toHaveLength(1);
  });
});
