/**
 * A small in-process cluster for RaftNode tests: memory network, one MemoryLogStore per node
 * whose data survives restarts, KV state machines, and a fake clock driving all of it.
 */
import { RaftNode } from '../../src/node/raft-node.ts';
import type { RaftNodeOptions } from '../../src/node/options.ts';
import { MemoryLogStore, createMemoryLogData, type MemoryLogData } from '../../src/storage/memory.ts';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/transport/memory.ts';
import { FakeClock, seededRandom } from './fake-clock.ts';
import { KvStateMachine } from './kv.ts';

export type KvNode = RaftNode<KvStateMachine>;
type Extra = Partial<Omit<RaftNodeOptions<KvStateMachine>, 'id' | 'stateMachine' | 'log' | 'transport'>>;

export interface ClusterOptions {
  readonly seed?: number;
  /** Options for every node (per-node ones win). */
  readonly node?: Extra;
  readonly perNode?: Readonly<Record<string, Extra>>;
}

export class TestCluster {
  readonly clock = new FakeClock();
  readonly network: MemoryNetwork;
  readonly nodes = new Map<string, KvNode>();
  readonly disks = new Map<string, MemoryLogData>();
  readonly stores = new Map<string, MemoryLogStore>();
  private readonly random: () => number;

  constructor(
    readonly ids: readonly string[],
    private readonly options: ClusterOptions = {},
  ) {
    this.random = seededRandom(options.seed ?? 1);
    this.network = createMemoryNetwork({ random: this.random });
    for (const id of ids) this.disks.set(id, createMemoryLogData());
  }

  /** Boots every node as a founder and waits until the founders settled the first configuration. */
  static async start(ids: readonly string[], options: ClusterOptions = {}): Promise<TestCluster> {
    const cluster = new TestCluster(ids, options);
    for (const id of ids) await cluster.boot(id, { members: ids });
    const founded = await cluster.clock.until(() => [...cluster.nodes.values()].every((n) => n.members().voters.length > 0), 5_000, 1);
    if (!founded) throw new Error('the founders did not settle a configuration');
    return cluster;
  }

  node(id: string): KvNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`node ${id} is not running`);
    return node;
  }

  /** Creates and starts node `id` on its disk (fresh, or what it left behind); `before` runs between the two (to listen for early events). */
  async boot(id: string, extra: Extra = {}, before?: (node: KvNode) => void): Promise<KvNode> {
    if (!this.disks.has(id)) this.disks.set(id, createMemoryLogData());
    const store = new MemoryLogStore({ data: this.disks.get(id)! });
    this.stores.set(id, store);
    const node = await RaftNode.create({
      id,
      stateMachine: new KvStateMachine(),
      log: store,
      transport: this.network.transport(id),
      clock: this.clock,
      random: this.random,
      ...this.options.node,
      ...this.options.perNode?.[id],
      ...extra,
    });
    this.nodes.set(id, node);
    before?.(node);
    await node.start();
    return node;
  }

  async stop(id: string): Promise<void> {
    const node = this.node(id);
    this.nodes.delete(id);
    await node.stop();
  }

  async restart(id: string, extra: Extra = {}): Promise<KvNode> {
    await this.stop(id);
    return this.boot(id, extra);
  }

  leader(): KvNode | undefined {
    const leaders = [...this.nodes.values()].filter((n) => n.isLeader);
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  /** Runs the clock until exactly one running node leads and every running node knows it. */
  async elect(maxMs = 20_000): Promise<KvNode> {
    const ok = await this.clock.until(() => {
      const leader = this.leader();
      return leader !== undefined && [...this.nodes.values()].every((n) => n.leader === leader.id);
    }, maxMs);
    if (!ok) throw new Error('no leader elected');
    return this.leader()!;
  }

  /** Advances the clock until `promise` settles; returns its outcome. */
  async run<T>(promise: Promise<T>, maxMs = 20_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    await this.clock.until(() => settled, maxMs);
    return watched;
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.nodes.keys()]) await this.stop(id);
  }
}
