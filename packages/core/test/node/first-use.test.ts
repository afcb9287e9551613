/**
 * What a user hears when something around the node is wrong: a transport that cannot reach its
 * peers or gave up, peers with another cluster secret, a store another tab holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotLeaderError, SecretMismatchError, StoppedError, TransportFailedError } from '../../src/node/errors.ts';
import { RaftNode } from '../../src/node/raft-node.ts';
import { MemoryLogStore } from '../../src/storage/memory.ts';
import type { Transport, TransportHandlers } from '../../src/transport/transport.ts';
import { FakeClock, settle } from './fake-clock.ts';
import { KvStateMachine } from './kv.ts';

/** A transport whose connection the test controls, as a relay client would report it. */
class ReportingTransport implements Transport {
  handlers: TransportHandlers | undefined;
  constructor(readonly id: string) {}
  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  send(): void {}
  async close(): Promise<void> {}
}

let node: RaftNode<KvStateMachine> | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

async function lone(transport: Transport, clock: FakeClock): Promise<RaftNode<KvStateMachine>> {
  // Two founders, the other never heard of: no leader can come.
  node = await RaftNode.create({ id: transport.id, members: [transport.id, 'away'], stateMachine: new KvStateMachine(), log: new MemoryLogStore(), transport, clock });
  await node.start();
  return node;
}

describe('first use: errors that name their cause', () => {
  it('a relay it cannot reach shows in status(), in events, and in the error a proposal gets', async () => {
    const clock = new FakeClock();
    const transport = new ReportingTransport('a');
    const n = await lone(transport, clock);
    const events: string[] = [];
    n.on('transportStatus', (s) => events.push(s.state));
    const errors: Error[] = [];
    n.on('error', (e) => errors.push(e.error));
    const unreachable = new Error('cannot reach the relay at ws://127.0.0.1:1/: connect ECONNREFUSED');
    transport.handlers!.status!({ state: 'connecting', error: unreachable });
    expect(n.status().transport).toEqual({ state: 'connecting', error: unreachable });
    expect(events).toEqual(['connecting']);
    expect(errors).toEqual([unreachable]);
    const proposal = n.propose({ op: 'put', key: 'k', value: 'v' }, { timeoutMs: 500 }).catch((e: Error) => e);
    await clock.advance(600);
    const error = await proposal;
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).cause).toBe(unreachable);
  });

  it('a transport that gives up for good (displaced, refused) stops the node with a typed error', async () => {
    const clock = new FakeClock();
    const transport = new ReportingTransport('a');
    const n = await lone(transport, clock);
    const errors: { error: Error; fatal: boolean }[] = [];
    n.on('error', (e) => errors.push(e));
    const pending = n.propose({ op: 'put', key: 'k', value: 'v' }).catch((e: Error) => e);
    const displaced = new Error('another connection holds node id a in room r');
    transport.handlers!.status!({ state: 'failed', error: displaced });
    await settle();
    expect(n.status().state).toBe('failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fatal).toBe(true);
    expect(errors[0]!.error).toBeInstanceOf(TransportFailedError);
    expect(errors[0]!.error.cause).toBe(displaced);
    const error = await pending;
    expect(error).toBeInstanceOf(StoppedError);
    expect((error as Error).message).toContain('another connection holds node id a');
  });

  it('peers with another cluster secret: after a run of refused messages the node says so plainly', async () => {
    const clock = new FakeClock();
    const transport = new ReportingTransport('a');
    const n = await lone(transport, clock);
    const errors: Error[] = [];
    n.on('error', (e) => errors.push(e.error));
    for (let i = 0; i < 20; i++) transport.handlers!.rejected!({ reason: 'auth', detail: 'bad MAC', from: 'b' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SecretMismatchError);
    expect(errors[0]!.message).toMatch(/8 messages from b failed authentication: the peers use another cluster secret/);
    expect(n.status().metrics.rejected.auth).toBe(20);
  });

  it('a store another tab holds: create rejects with the store’s own error, not a generic one', async () => {
    class StoreLockedError extends Error {
      override name = 'StoreLockedError';
    }
    const log = new MemoryLogStore();
    log.load = () => Promise.reject(new StoreLockedError('the log store "todo-a" is held by another tab'));
    const created = RaftNode.create({ id: 'a', members: ['a'], stateMachine: new KvStateMachine(), log, transport: new ReportingTransport('a') });
    await expect(created).rejects.toBeInstanceOf(StoreLockedError);
  });
});
