/**
 * The Raft nodes a tab runs: the voter slots it holds (each on the slot's IndexedDB log) and,
 * while it holds none, a learner (on a log in memory: a reopened tab is a new learner) that
 * follows the store without voting. Every node's state machine is a CommandRecorder whose
 * commands and snapshots go to the page.
 */
import { MemoryLogStore, RaftNode } from '@webraft/core';
import type { RaftNodeOptions } from '@webraft/core';
import { indexedDBLogStore } from '@webraft/log-indexeddb';
import type { HeldLock, StoreNames } from './locks.ts';
import { learnerNodeId, slotNodeId } from './locks.ts';
import type { HostConfig, RemoteError } from './protocol.ts';
import { toRemoteError } from './protocol.ts';
import { CommandRecorder, type RecorderSink } from './recorder.ts';
import { tabTransport } from './transport.ts';

export interface HostedNode {
  readonly id: string;
  /** The voter slot it runs, or undefined for the learner. */
  readonly slot: number | undefined;
  readonly node: RaftNode<CommandRecorder>;
  readonly lock: HeldLock | undefined;
}

export interface NodeEnvironment {
  readonly config: HostConfig;
  readonly names: StoreNames;
  readonly locks: LockManager;
  readonly indexedDB: IDBFactory | undefined;
  readonly BroadcastChannel: typeof BroadcastChannel;
  /** A sink to the page for node `id`. */
  sink(id: string): RecorderSink;
  /** Something about a node changed (role, leader, membership, error). */
  changed(error?: RemoteError): void;
  /** A node of this tab learned of a new leader. */
  leaderChanged(leader: string): void;
}

function nodeOptions(env: NodeEnvironment, id: string): Omit<RaftNodeOptions<CommandRecorder>, 'stateMachine' | 'log'> {
  const { config, names } = env;
  return {
    id,
    transport: tabTransport({
      id,
      store: config.name,
      channelName: (node) => names.nodeChannel(node),
      BroadcastChannel: env.BroadcastChannel,
      ...(config.secret === undefined ? {} : { secret: config.secret }),
    }),
    tickMs: config.tickMs,
    electionTicks: config.electionTicks,
    heartbeatTicks: config.heartbeatTicks,
    requestTimeoutMs: config.requestTimeoutMs,
    snapshotEvery: config.snapshotEvery,
    maxBatchCommands: config.maxBatchCommands,
  };
}

function watch(env: NodeEnvironment, node: RaftNode<CommandRecorder>): void {
  node.on('roleChanged', () => env.changed());
  node.on('leaderChanged', ({ leader }) => {
    env.changed();
    env.leaderChanged(leader);
  });
  node.on('membershipChanged', () => env.changed());
  node.on('error', ({ error }) => env.changed(toRemoteError(error)));
}

/** Starts voter slot `slot`'s node on the slot's log (waiting for the previous owner to close it). */
export async function startSlotNode(env: NodeEnvironment, slot: number, lock: HeldLock): Promise<HostedNode> {
  const id = slotNodeId(slot);
  const members = Array.from({ length: env.config.maxVoters }, (_, i) => slotNodeId(i + 1));
  const log = indexedDBLogStore({
    name: env.names.slotDatabase(slot),
    nodeId: id,
    clusterId: env.config.name,
    onLocked: 'wait',
    // The slot's log moves from tab to tab; the core's store identity (not a per-tab marker)
    // tells a wiped log from a new one.
    wipeMarker: false,
    persist: env.config.persist,
    locks: env.locks,
    ...(env.indexedDB === undefined ? {} : { indexedDB: env.indexedDB }),
  });
  const node = await RaftNode.create({ ...nodeOptions(env, id), members, stateMachine: new CommandRecorder(env.sink(id)), log });
  watch(env, node);
  await node.start();
  return { id, slot, node, lock };
}

/** Starts this tab's learner; it asks the voters to be added (see `joinAsLearner`). */
export async function startLearnerNode(env: NodeEnvironment, tab: string): Promise<HostedNode> {
  const id = learnerNodeId(tab);
  const node = await RaftNode.create({ ...nodeOptions(env, id), stateMachine: new CommandRecorder(env.sink(id)), log: new MemoryLogStore() });
  watch(env, node);
  await node.start();
  return { id, slot: undefined, node, lock: undefined };
}

/** Asks, until it works or the node stops, to be added as a learner. */
export async function joinAsLearner(env: NodeEnvironment, node: RaftNode<CommandRecorder>): Promise<boolean> {
  const via = Array.from({ length: env.config.maxVoters }, (_, i) => slotNodeId(i + 1));
  while (node.status().state === 'running') {
    try {
      await node.join({ via, learner: true, timeoutMs: env.config.requestTimeoutMs });
      return true;
    } catch (error) {
      if ((error as Error).name !== 'TimeoutError') env.changed(toRemoteError(error));
      if ((error as Error).name === 'StoppedError') return false;
    }
  }
  return false;
}
