// The fault layer of one context, on Node's own BroadcastChannel: what a tab sends carries its
// tab, what arrives is judged once and handed over unwrapped.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message, Transport, TransportHandlers } from '@webraft/core';
import { noFaults, type FaultState } from '../src/faults.ts';
import { faultChannel } from '../src/page/channel.ts';
import { HookContext } from '../src/page/context.ts';
import { faultTransport } from '../src/page/transport.ts';

const state = (version: number, change: Partial<FaultState>): FaultState => ({ ...noFaults, version, ...change });
// Waits for what the channel does, however busy the machine is.
const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 10 });
const opened: BroadcastChannel[] = [];

function tab(id: string) {
  const context = new HookContext(id);
  const Channel = faultChannel(BroadcastChannel, context);
  const open = (name: string) => {
    const channel = new Channel(name);
    opened.push(channel);
    const heard: unknown[] = [];
    channel.onmessage = (event) => heard.push(event.data);
    return { channel, heard };
  };
  return { context, open };
}

afterEach(() => {
  for (const channel of opened.splice(0)) channel.close();
});

describe('faultChannel', () => {
  it('hands over what another tab sent, unwrapped, to onmessage and to every listener', async () => {
    const [a, b] = [tab('a'), tab('b')];
    const sender = a.open('x');
    const receiver = b.open('x');
    const listened: unknown[] = [];
    const listener = (event: Event) => listened.push((event as MessageEvent).data);
    receiver.channel.addEventListener('message', listener);
    sender.channel.postMessage({ n: 1 });
    await until(() => expect(listened).toHaveLength(1));
    receiver.channel.removeEventListener('message', listener);
    sender.channel.postMessage({ n: 2 });
    await until(() => expect(receiver.heard).toEqual([{ n: 1 }, { n: 2 }]));
    expect(listened).toEqual([{ n: 1 }]);
    expect(b.context.counters).toMatchObject({ delivered: 2, dropped: 0 });
  });

  it('drops across a partition, keeps a tab connected to itself, and heals', async () => {
    const [a, b] = [tab('a'), tab('b')];
    const fromA = a.open('x');
    const inA = a.open('x');
    const inB = b.open('x');
    for (const t of [a, b]) t.context.adopt(state(1, { groups: [['a']] }));
    fromA.channel.postMessage('cut off');
    await until(() => expect(b.context.counters.dropped).toBe(1));
    await until(() => expect(inA.heard).toEqual(['cut off']));
    expect(inB.heard).toEqual([]);
    b.context.adopt(state(2, {}));
    fromA.channel.postMessage('healed');
    await until(() => expect(inB.heard).toEqual(['healed']));
  });

  it('cuts one way only', async () => {
    const [a, b] = [tab('a'), tab('b')];
    const [inA, inB] = [a.open('x'), b.open('x')];
    for (const t of [a, b]) t.context.adopt(state(1, { cuts: [['a', 'b']] }));
    inA.channel.postMessage('a to b');
    inB.channel.postMessage('b to a');
    await until(() => expect(b.context.counters.dropped).toBe(1));
    await until(() => expect(inA.heard).toEqual(['b to a']));
    expect(inB.heard).toEqual([]);
  });

  it('drops a message with no sender tab under a partition', async () => {
    const b = tab('b');
    const inB = b.open('x');
    b.context.adopt(state(1, { groups: [['b']] }));
    const plain = new BroadcastChannel('x');
    opened.push(plain);
    plain.postMessage('from a context without hooks');
    await until(() => expect(b.context.counters.dropped).toBe(1));
    expect(inB.heard).toEqual([]);
  });

  it('delays by the drawn time', async () => {
    const [a, b] = [tab('a'), tab('b')];
    const inA = a.open('x');
    const inB = b.open('x');
    b.context.adopt(state(1, { delayMs: [150, 150] }));
    let arrived = 0;
    inB.channel.onmessage = () => void (arrived = performance.now());
    const sent = performance.now();
    inA.channel.postMessage('late');
    await until(() => expect(arrived).toBeGreaterThan(0));
    // Timers never fire early; the 1 ms is the clocks' rounding.
    expect(arrived - sent).toBeGreaterThanOrEqual(149);
    expect(b.context.counters.delayed).toBe(1);
  });
});

describe('HookContext', () => {
  it('adopts only a newer, well-formed state', () => {
    const context = new HookContext('a');
    expect(context.adopt(state(2, { dropRate: 0.5 }))).toBe(true);
    expect(context.adopt(state(1, {}))).toBe(false);
    expect(context.adopt({ ...state(3, {}), dropRate: 'all' })).toBe(false);
    expect(context.state.dropRate).toBe(0.5);
  });
});

describe('faultTransport', () => {
  it("judges a message by its sender node's tab, as the runner mapped it", () => {
    let handlers: TransportHandlers | undefined;
    const inner: Transport = { id: 'n2', start: (h) => void (handlers = h), send: () => {}, close: async () => {} };
    const context = new HookContext('b');
    const heard: string[] = [];
    const transport = faultTransport(inner, context);
    void transport.start({ message: (m) => heard.push(m.from) });
    expect([...context.ownNodes]).toEqual(['n2']);
    context.adopt(state(1, { groups: [['a']], nodes: { n1: 'a', n3: 'c' } }));
    handlers!.message({ from: 'n1', to: 'n2' } as Message);
    handlers!.message({ from: 'n3', to: 'n2' } as Message);
    handlers!.message({ from: 'unknown', to: 'n2' } as Message);
    expect(heard).toEqual(['n3']);
  });
});
