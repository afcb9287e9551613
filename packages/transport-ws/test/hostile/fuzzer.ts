/**
 * A seeded fuzzer that speaks the relay's protocol with hostile contents: well-formed
 * envelopes for wrong rooms and absent peers, forged senders and forged Raft frames (a term of
 * 2^53 − 1 among them), members' node ids asked for again, announced lengths far past any
 * limit, bursts, keepalive floods, readers that stop, messages sent but for their last byte,
 * presence churn, malformed envelopes. Its schedule (which attack, when, how hard) comes from
 * the seed alone, so a run can be replayed; the timing of the network around it cannot.
 */
import type { WebSocket } from 'ws';
import { encodeFrame, type Message } from '@webraft/core';
import { seededRandom } from '@webraft/core/testing';
import { encodeEnvelope, EnvelopeKind, packBatch } from '../../src/protocol.ts';
import { halfSentMessages, keepaliveFlood, openClient, paced, relayUrl, streamOf } from './attacks.ts';

export interface FuzzTarget {
  readonly url: string;
  readonly room: string;
  readonly members: readonly string[];
  readonly maxFrameBytes: number;
  /** Only these attacks (to look into one); all of them when absent. */
  readonly only?: readonly string[];
}

/** One scheduled attack: what, when (ms from the start), for how long, with which draws. */
export interface FuzzStep {
  readonly attack: string;
  readonly atMs: number;
  readonly forMs: number;
  readonly params: Record<string, number | string>;
}

type Random = () => number;
type Attack = (target: FuzzTarget, step: FuzzStep, random: Random) => Promise<void>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
/** Each attack connects from its own loopback address, as another host would. */
const addressOf = (random: Random): string => `127.0.0.${between(random, 2, 9)}`;

function open(url: string, random: Random): Promise<WebSocket | undefined> {
  return openClient(url, addressOf(random)).catch(() => undefined);
}

/** A heartbeat that claims to come from `from`, framed by the codec (under `secret`, if one is given). */
function forgedFrame(room: string, from: string, to: string, term: number, secret?: string): Promise<Uint8Array> {
  const message: Message = { type: 'heartbeat', from, to, term, commit: 0, context: Uint8Array.of(1) };
  return encodeFrame({ clusterId: room, message }, secret === undefined ? {} : { secret });
}

async function closeAll(sockets: readonly (WebSocket | undefined)[]): Promise<void> {
  for (const ws of sockets) ws?.terminate();
}

const attacks: Record<string, Attack> = {
  /** Envelopes to the cluster's members from rooms they are not in. */
  async wrongRoom(target, step, random) {
    const ws = await open(relayUrl(target.url, `elsewhere-${step.params.room}`, 'x'), random);
    const stop = paced(Number(step.params.rate), (n) => {
      for (let i = 0; i < n && ws?.readyState === ws?.OPEN; i++) ws?.send(encodeEnvelope(EnvelopeKind.data, pick(random, target.members), Uint8Array.of(1, 2, 3)));
    });
    await sleep(step.forMs);
    stop();
    await closeAll([ws]);
  },

  /** A stranger in the room sends frames claiming a member's id, without the secret or under a guess, some with the largest term. */
  async forgedSender(target, step, random) {
    const ws = await open(relayUrl(target.url, target.room, `intruder-${step.params.id}`), random);
    const frames = await Promise.all(
      target.members.map((to) =>
        forgedFrame(target.room, pick(random, target.members.filter((m) => m !== to)), to, random() < 0.5 ? Number.MAX_SAFE_INTEGER : between(random, 1, 1000), random() < 0.5 ? undefined : 'guessed secret'),
      ),
    );
    const stop = paced(Number(step.params.rate), (n) => {
      for (let i = 0; i < n && ws?.readyState === ws?.OPEN; i++) {
        const at = between(random, 0, frames.length - 1);
        const kind = random() < 0.3 ? EnvelopeKind.batch : EnvelopeKind.data;
        ws?.send(encodeEnvelope(kind, target.members[at]!, kind === EnvelopeKind.batch ? packBatch([frames[at]!, frames[at]!]) : frames[at]!));
      }
    });
    await sleep(step.forMs);
    stop();
    await closeAll([ws]);
  },

  /** Asks for a member's node id while the member is there. */
  async takeover(target, step, random) {
    const ws = await open(relayUrl(target.url, target.room, String(step.params.node)), random);
    await sleep(step.forMs);
    await closeAll([ws]);
  },

  /** Frame headers announcing far more than `maxFrameBytes`, batch lengths past their payload, peer id lengths past 64. */
  async hugeLengths(target, step, random) {
    const sockets = await Promise.all(Array.from({ length: 3 }, (_, i) => open(relayUrl(target.url, target.room, `huge-${step.params.id}-${i}`), random)));
    const [raw, batch, peer] = sockets;
    // A masked binary frame header with a 64-bit length of 2^50 bytes, and a little payload.
    const header = Buffer.from([0x82, 0xff, 0, 0x04, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]);
    if (raw !== undefined) (streamOf(raw) as unknown as { write(b: Buffer): void }).write(header);
    const lying = new Uint8Array(12);
    new DataView(lying.buffer).setUint32(0, 0xffffffff);
    batch?.send(encodeEnvelope(EnvelopeKind.batch, pick(random, target.members), lying));
    peer?.send(Uint8Array.of(EnvelopeKind.data, 200, 1, 2, 3));
    await sleep(step.forMs);
    await closeAll(sockets);
  },

  /** As many frames as it can send, to one member. */
  async burst(target, step, random) {
    const ws = await open(relayUrl(target.url, target.room, `burst-${step.params.id}`), random);
    const envelope = encodeEnvelope(EnvelopeKind.data, pick(random, target.members), new Uint8Array(Number(step.params.bytes)).fill(0xab));
    const count = Number(step.params.count);
    if (ws !== undefined) {
      streamOf(ws).cork();
      for (let i = 0; i < count; i++) ws.send(envelope);
      streamOf(ws).uncork();
    }
    await sleep(step.forMs);
    await closeAll([ws]);
  },

  /** Keepalives at a high rate from a client that reads nothing. */
  async keepaliveFlood(target, step) {
    const flood = await keepaliveFlood(target.url, { perSecond: Number(step.params.rate) });
    await sleep(step.forMs);
    await flood.stop();
  },

  /** Members of the cluster's room that stop reading: presence and anything sent to them piles up. */
  async slowReaders(target, step, random) {
    const sockets = await Promise.all(Array.from({ length: Number(step.params.count) }, (_, i) => open(relayUrl(target.url, target.room, `slow-${step.params.id}-${i}`), random)));
    for (const ws of sockets) if (ws !== undefined) streamOf(ws).pause();
    await sleep(step.forMs);
    await closeAll(sockets);
  },

  /** Messages sent but for their last byte, kept alive with unsolicited pongs. */
  async halfSent(target, step) {
    const stop = await halfSentMessages(target.url, { clients: Number(step.params.count), bytes: Number(step.params.bytes), addresses: 4 });
    await sleep(step.forMs);
    await stop();
  },

  /** Joins and leaves under ids never seen before: presence for every member, each time. */
  async churn(target, step, random) {
    const count = Number(step.params.count);
    for (let i = 0; i < count; i++) {
      const ws = await open(relayUrl(target.url, target.room, `churn-${step.params.id}-${i}`), random);
      ws?.close();
    }
    await sleep(step.forMs);
  },

  /** Text frames, unknown kinds, truncated envelopes, kinds only the relay may send, signals of junk. */
  async malformed(target, step, random) {
    const ws = await open(relayUrl(target.url, target.room, `junk-${step.params.id}`), random);
    const member = pick(random, target.members);
    const junk: (string | Uint8Array)[] = [
      'text frame',
      Uint8Array.of(),
      Uint8Array.of(99, 0),
      Uint8Array.of(EnvelopeKind.data, 5, 1),
      Uint8Array.of(EnvelopeKind.data, 1, 0xff),
      encodeEnvelope(EnvelopeKind.welcome, member, Uint8Array.of(1)),
      encodeEnvelope(EnvelopeKind.presence, member, Uint8Array.of(0)),
      encodeEnvelope(EnvelopeKind.signal, member, new TextEncoder().encode('{"not": "a signal"')),
      encodeEnvelope(EnvelopeKind.data, member, Uint8Array.from({ length: 64 }, () => between(random, 0, 255))),
    ];
    const stop = paced(Number(step.params.rate), (n) => {
      for (let i = 0; i < n && ws?.readyState === ws?.OPEN; i++) ws?.send(pick(random, junk));
    });
    await sleep(step.forMs);
    stop();
    await closeAll([ws]);
  },
};

/** The schedule of a run: attacks starting one after another, overlapping. */
export function schedule(seed: number, target: FuzzTarget, durationMs: number): FuzzStep[] {
  const random = seededRandom(seed);
  const steps: FuzzStep[] = [];
  let atMs = 0;
  let id = 0;
  const names = target.only ?? Object.keys(attacks);
  while (atMs < durationMs - 500) {
    const attack = pick(random, names);
    const forMs = between(random, 300, 2000);
    const params: Record<string, number | string> = { id: `${seed}-${id++}` };
    if (attack === 'wrongRoom') Object.assign(params, { room: between(random, 0, 1e6), rate: between(random, 100, 5000) });
    if (attack === 'forgedSender' || attack === 'malformed') Object.assign(params, { rate: between(random, 100, 10_000) });
    if (attack === 'takeover') params.node = pick(random, target.members);
    if (attack === 'burst') Object.assign(params, { count: between(random, 1000, 30_000), bytes: pick(random, [1, 100, 4096]) });
    if (attack === 'keepaliveFlood') params.rate = between(random, 1000, 19_000);
    if (attack === 'slowReaders') params.count = between(random, 1, 20);
    if (attack === 'halfSent') Object.assign(params, { count: between(random, 5, 100), bytes: between(random, 1024, target.maxFrameBytes) });
    if (attack === 'churn') params.count = between(random, 5, 50);
    steps.push({ attack, atMs, forMs: Math.min(forMs, durationMs - atMs), params });
    atMs += between(random, 100, forMs / 2);
  }
  return steps;
}

/** Runs the schedule against `target`; `log` hears each step as it starts. */
export async function runFuzz(target: FuzzTarget, steps: readonly FuzzStep[], seed: number, log: (line: string) => void): Promise<void> {
  const random = seededRandom(seed ^ 0x5eed);
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (const step of steps) {
    const wait = step.atMs - (performance.now() - started);
    if (wait > 0) await sleep(wait);
    log(`${step.atMs} ms: ${step.attack} for ${step.forMs} ms ${JSON.stringify(step.params)}`);
    running.push(attacks[step.attack]!(target, step, random).catch((error: Error) => log(`${step.attack} failed on its side: ${error.message}`)));
  }
  await Promise.all(running);
}
