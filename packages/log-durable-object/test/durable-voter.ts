/**
 * A RaftNode cluster in which one voter keeps its log in Durable Object storage and the two
 * others (tabs) in memory; runtime-neutral, so Node runs it on the fake storage and workerd
 * inside a Durable Object on its real storage (runtimes/src/workerd.ts). Real timers, small
 * ticks. The voter is stopped (its store closed) while the tabs go on, and started again on a
 * new store over the same storage: it must come back with its log and snapshot, under the same
 * store identity (so it still counts in quorums without being readmitted), catch up, and then
 * carry a quorum with one tab while the other tab is down.
 */
import { MemoryLogStore, NotLeaderError, RaftNode, systemClock, type LogStore, type StateMachine } from '@webraft/core';
import { assert, assertEqual, createMemoryNetwork, seededRandom, sleep, waitFor } from '@webraft/core/testing';
import { durableObjectLogStore, type DurableObjectStorageLike } from '../src/index.ts';

/** Adds each command to a total; the snapshot is the total and the number of commands applied. */
export class Counter implements StateMachine<number, number> {
  total = 0;
  applied = 0;

  apply(amount: number): number {
    this.total += amount;
    this.applied++;
    return this.total;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([this.total, this.applied]));
  }

  restore(data: Uint8Array): void {
    [this.total, this.applied] = JSON.parse(new TextDecoder().decode(data)) as [number, number];
  }
}

export interface DurableVoterReport {
  /** What the voter's state machine held right after it was created again, before it heard from anyone. */
  readonly restoredApplied: number;
  /** The first and last index of the log its store gave back on restart. */
  readonly restoredFirstIndex: number;
  readonly restoredLastIndex: number;
  readonly total: number;
}

export const voter = 'durable-object';
export const tabs = ['tab-1', 'tab-2'] as const;
const timeoutMs = 20_000;

/** The options of every node of the cluster but its id, state machine, log and transport. */
export const nodeOptions = { members: [voter, ...tabs], clock: systemClock, tickMs: 10, snapshotEvery: 8, snapshotKeepEntries: 2 };

/** Proposes `amount` through whichever of `nodes` leads, retrying while none does; the new total. */
export async function proposeThroughLeader(nodes: readonly RaftNode<Counter>[], amount: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = nodes.find((n) => n.isLeader);
    if (leader !== undefined) {
      try {
        return await leader.propose(amount, { timeoutMs: 2_000 });
      } catch (error) {
        if (!(error instanceof NotLeaderError) || Date.now() > deadline) throw error;
      }
    }
    if (Date.now() > deadline) throw new Error(`no leader among ${nodes.map((n) => n.id).join(', ')} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export async function durableVoterRestart(storage: DurableObjectStorageLike, { prefix = 'voter:', seed = 1 } = {}): Promise<DurableVoterReport> {
  const random = seededRandom(seed);
  const network = createMemoryNetwork({ random });
  const nodes = new Map<string, RaftNode<Counter>>();
  const boot = async (id: string, log: LogStore): Promise<RaftNode<Counter>> => {
    const node = await RaftNode.create({ ...nodeOptions, id, stateMachine: new Counter(), log, transport: network.transport(id), random });
    nodes.set(id, node);
    return node;
  };
  const stop = async (id: string): Promise<void> => {
    const node = nodes.get(id)!;
    nodes.delete(id);
    await node.stop();
  };
  const propose = (amount: number): Promise<number> => proposeThroughLeader([...nodes.values()], amount);
  const appliedOn = (id: string, count: number): Promise<void> =>
    waitFor(() => nodes.get(id)!.stateMachine.applied === count, timeoutMs, `${id} applies ${count} commands (has ${nodes.get(id)?.stateMachine.applied})`);

  try {
    for (const id of tabs) await boot(id, new MemoryLogStore());
    await boot(voter, durableObjectLogStore(storage, { prefix }));
    for (const node of nodes.values()) await node.start();
    for (let i = 1; i <= 20; i++) await propose(i);
    await appliedOn(voter, 20);
    const identity = nodes.get(voter)!.status().store;
    assert(identity !== undefined, 'the voter has a store identity');
    await stop(voter);

    // The tabs go on without it: two of three are a quorum.
    for (let i = 21; i <= 30; i++) await propose(i);

    const reopened = durableObjectLogStore(storage, { prefix });
    const node = await boot(voter, reopened);
    const restoredApplied = node.stateMachine.applied;
    const status = node.status();
    assert(restoredApplied >= 8, `the voter restored its snapshot from storage (applied ${restoredApplied} before hearing from anyone)`);
    assertEqual(status.store, identity, 'the voter comes back under the store identity it had');
    assert(status.admitted, 'the voter counts in quorums without being readmitted');
    await node.start();
    await appliedOn(voter, 30);

    // With one tab down, nothing commits without the voter.
    await stop('tab-2');
    let total = 0;
    for (let i = 31; i <= 35; i++) total = await propose(i);
    await appliedOn(voter, 35);
    assertEqual(total, (35 * 36) / 2, 'the total after 35 commands');
    assertEqual(node.stateMachine.total, total, "the voter's total");
    return { restoredApplied, restoredFirstIndex: status.firstIndex, restoredLastIndex: status.lastIndex, total };
  } finally {
    for (const id of [...nodes.keys()]) await stop(id);
  }
}
