/**
 * The Transport conformance suite: one case per rule of the Transport doc comment, run on a
 * healthy network (no faults injected), where every message sent must arrive.
 *
 *   runConformance(transportConformance(async (ids) => ({ transports: ids.map(makeMine) })), { describe, it });
 */
import type { Message, NodeId, Rejection } from '../raft/types.ts';
import type { Transport } from '../transport/transport.ts';
import { assert, assertEqual, sleep, waitFor } from './assert.ts';
import { sampleMessages } from './messages.ts';
import type { ConformanceCase } from './runner.ts';

export interface TransportCluster {
  /** One transport per requested id, in the same order, not yet started. */
  readonly transports: readonly Transport[];
  /** Releases what the cluster holds (servers, channels); called after every transport is closed. */
  close?(): Promise<void>;
}

export type MakeTransportCluster = (ids: readonly NodeId[]) => TransportCluster | Promise<TransportCluster>;

export interface TransportConformanceOptions {
  /** How long to wait for an expected delivery. @default 5000 */
  readonly timeoutMs?: number;
  /** How long to watch for a delivery that must not happen. @default 100 */
  readonly quietMs?: number;
  /** Size of the entry in the large-message case. @default 1 MiB */
  readonly largeBytes?: number;
  /** Messages in the many-messages case. @default 2000 */
  readonly manyMessages?: number;
}

interface Node {
  readonly id: NodeId;
  readonly transport: Transport;
  readonly received: Message[];
  readonly rejected: (Rejection & { readonly from?: NodeId })[];
}

interface StartedCluster {
  readonly nodes: readonly Node[];
  closeNode(node: Node): Promise<void>;
}

export function transportConformance(make: MakeTransportCluster, options: TransportConformanceOptions = {}): ConformanceCase[] {
  const timeoutMs = options.timeoutMs ?? 5000;
  const quietMs = options.quietMs ?? 100;
  const largeBytes = options.largeBytes ?? 1024 * 1024;
  const many = options.manyMessages ?? 2000;

  const withCluster =
    (ids: readonly NodeId[], body: (cluster: StartedCluster) => Promise<void>) => async (): Promise<void> => {
      const made = await make(ids);
      assert(made.transports.length === ids.length, `asked for ${ids.length} transports, got ${made.transports.length}`);
      const closed = new Set<Node>();
      const nodes: Node[] = made.transports.map((transport, i) => ({ id: ids[i]!, transport, received: [], rejected: [] }));
      const closeNode = async (node: Node): Promise<void> => {
        if (closed.has(node)) return;
        closed.add(node);
        await node.transport.close();
      };
      try {
        for (const node of nodes) {
          assert(node.transport.id === node.id, `transport ${node.transport.id} was made for ${node.id}`);
          await node.transport.start({
            message: (message) => node.received.push(message),
            rejected: (rejection) => node.rejected.push(rejection),
          });
        }
        await body({ nodes, closeNode });
      } finally {
        for (const node of nodes) await closeNode(node).catch(() => undefined);
        await made.close?.();
      }
    };

  const ping = (from: NodeId, to: NodeId, term = 1): Message => ({ type: 'timeoutNow', from, to, term });

  const cases: ConformanceCase[] = [];
  const add = (name: string, ids: readonly NodeId[], body: (cluster: StartedCluster) => Promise<void>): void => {
    cases.push({ name: `Transport: ${name}`, run: withCluster(ids, body) });
  };

  add('a message reaches its recipient and no one else', ['a', 'b', 'c'], async ({ nodes: [a, b, c] }) => {
    a!.transport.send(ping('a', 'b', 7));
    await waitFor(() => b!.received.length >= 1, timeoutMs, 'b receives the message from a');
    await sleep(quietMs);
    // Duplicates are allowed by the contract, alterations are not.
    for (const message of b!.received) assertEqual(message, ping('a', 'b', 7), 'a message b received');
    assertEqual(a!.received, [], 'messages received by the sender');
    assertEqual(c!.received, [], 'messages received by a bystander');
  });

  add('every pair can talk both ways', ['a', 'b', 'c'], async ({ nodes }) => {
    for (const from of nodes) for (const to of nodes) if (from !== to) from.transport.send(ping(from.id, to.id));
    const senders = (node: Node): string[] => [...new Set(node.received.map((m) => m.from))].sort();
    await waitFor(() => nodes.every((n) => senders(n).length >= 2), timeoutMs, 'each node hears from both others');
    await sleep(quietMs);
    for (const node of nodes) {
      for (const message of node.received) assertEqual(message.to, node.id, `recipient of a message ${node.id} received`);
      assertEqual(senders(node), nodes.filter((n) => n !== node).map((n) => n.id), `senders heard by ${node.id}`);
    }
  });

  add('from is always the real sender', ['a', 'b', 'c'], async ({ nodes: [a, b, c] }) => {
    a!.transport.send({ ...ping('c', 'b'), term: 99 });
    a!.transport.send(ping('a', 'b', 5));
    await waitFor(() => b!.received.some((m) => m.term === 5), timeoutMs, 'b receives the honest message');
    await sleep(quietMs);
    for (const message of b!.received) assertEqual(message.from, 'a', 'from of every message b received from a');
    assertEqual(c!.received, [], 'messages received by the impersonated node');
  });

  add('every message type arrives with every field intact', ['n1', 'nœud-2'], async ({ nodes: [a, b] }) => {
    const messages = sampleMessages('n1', 'nœud-2');
    for (const message of messages) a!.transport.send(message);
    const types = (): Set<string> => new Set(b!.received.map((m) => m.type));
    await waitFor(() => types().size === messages.length, timeoutMs, `all ${messages.length} message types arrive`);
    for (const message of b!.received) {
      assertEqual(message, messages.find((m) => m.type === message.type), `the ${message.type} message received`);
    }
  });

  add('a message with a 1 MiB entry arrives intact', ['a', 'b'], async ({ nodes: [a, b] }) => {
    const data = new Uint8Array(largeBytes);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 0xff;
    const message: Message = {
      type: 'app',
      from: 'a',
      to: 'b',
      term: 3,
      prevLogIndex: 10,
      prevLogTerm: 2,
      commit: 9,
      entries: [
        { index: 11, term: 3, type: 'normal', data },
        { index: 12, term: 3, type: 'normal', data: Uint8Array.of(1) },
      ],
    };
    a!.transport.send(message);
    await waitFor(() => b!.received.length >= 1, timeoutMs, 'the large message arrives');
    assertEqual(b!.received[0], message, 'the large message');
  });

  add(`many messages all arrive`, ['a', 'b'], async ({ nodes: [a, b] }) => {
    for (let i = 1; i <= many; i++) {
      a!.transport.send({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: i, context: new Uint8Array(0) });
    }
    const seen = new Set<number>();
    await waitFor(
      () => {
        for (const m of b!.received) if (m.type === 'heartbeat') seen.add(m.commit);
        return seen.size >= many;
      },
      timeoutMs,
      `${many} messages arrive`,
    );
    for (let i = 1; i <= many; i++) assert(seen.has(i), `heartbeat ${i} of ${many} was not delivered`);
  });

  add('nothing is delivered after close has resolved', ['a', 'b'], async ({ nodes: [a, b], closeNode }) => {
    a!.transport.send(ping('a', 'b', 1));
    await waitFor(() => b!.received.length >= 1, timeoutMs, 'b receives the first message');
    await closeNode(b!);
    const before = b!.received.length;
    a!.transport.send(ping('a', 'b', 2));
    await sleep(quietMs);
    assertEqual(b!.received.length, before, 'messages delivered to b after it closed');
  });

  add('send never throws: unknown peer, closed peer, closed sender', ['a', 'b'], async ({ nodes: [a, b], closeNode }) => {
    a!.transport.send(ping('a', 'nobody'));
    await closeNode(b!);
    a!.transport.send(ping('a', 'b'));
    await closeNode(a!);
    a!.transport.send(ping('a', 'b'));
    await sleep(quietMs);
    assertEqual(a!.received, [], 'a closed node receives nothing');
  });

  add('ids up to 64 UTF-8 bytes are carried exactly', ['é'.repeat(32), 'x'.repeat(64)], async ({ nodes: [a, b] }) => {
    a!.transport.send(ping(a!.id, b!.id));
    await waitFor(() => b!.received.length >= 1, timeoutMs, 'a message between long ids arrives');
    assertEqual(b!.received[0], ping(a!.id, b!.id), 'the message between long ids');
  });

  return cases;
}
