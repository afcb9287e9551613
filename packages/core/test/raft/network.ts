/**
 * A tiny synchronous network of RawNodes for cluster-level tests: each node has an in-memory
 * "disk" (hard state, log, snapshot) written from its Readys, so nodes can crash and restart.
 * Messages are delivered in FIFO order; filters drop or partition them.
 *
 * A deliberate single-message harness: a minimal Ready loop of its own around `RawNode`, so a
 * test can hold, drop or persist one message or write at a time. The loop applications run
 * (`RaftNode`) is tested in test/node and fuzzed by the whole-stack simulator (packages/sim).
 */
import type { ConfState, Entry, HardState, Message, NodeId, Ready, Snapshot } from '../../src/raft/types.ts';
import type { RaftOptions } from '../../src/raft/contract.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { seededRandom } from '../../src/testing/random.ts';

export interface Disk {
  hardState: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
}

export interface TestNode {
  readonly id: NodeId;
  core: RawNode;
  disk: Disk;
  /** Data of applied normal entries, in order, as strings. */
  applied: string[];
  appliedIndex: number;
  confStates: ConfState[];
  readStates: { index: number; context: string }[];
  /** When false, Ready writes are handed out but `persisted` is held until `flush`. */
  autoPersist: boolean;
  unpersisted: { seq: number; ready: Ready; after: Message[] }[];
  /** Snapshot data of this node's state machine: the applied strings joined by ','. */
  up: boolean;
}

/** Entries with the given terms at indexes 1, 2, ... */
export function logOfTerms(terms: readonly number[]): Entry[] {
  return terms.map((term, i) => ({ term, index: i + 1, type: 'normal' as const, data: text(`${i + 1}@${term}`) }));
}

export function voters(ids: readonly NodeId[]): ConfState {
  return { voters: [...ids], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

export type Filter = (m: Message) => boolean;

export { seededRandom };

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  readonly bootstraps = new Map<NodeId, ConfState | undefined>();
  queue: Message[] = [];
  filters: Filter[] = [];
  /** Every message delivered, for assertions. */
  log: Message[] = [];
  private seed = 1;
  /** Called for every committed entry a node applies. */
  onApply: ((node: TestNode, entry: Entry) => void) | undefined;

  constructor(
    ids: readonly NodeId[],
    readonly options: Partial<RaftOptions> = {},
    bootstrap: ConfState = { voters: [...ids], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
    /** The core every node runs (a mutant build, for tests of the tests). */
    readonly Core: typeof RawNode = RawNode,
  ) {
    for (const id of ids) this.add(id, bootstrap);
  }

  add(id: NodeId, bootstrap?: ConfState, options: Partial<RaftOptions> = {}): TestNode {
    this.bootstraps.set(id, bootstrap);
    const disk: Disk = { hardState: { term: 0, vote: '', commit: 0 }, entries: [] };
    const node: TestNode = {
      id,
      core: new this.Core(this.opts(id, options), bootstrap === undefined ? {} : { bootstrap }),
      disk,
      applied: [],
      appliedIndex: 0,
      confStates: [],
      readStates: [],
      autoPersist: true,
      unpersisted: [],
      up: true,
    };
    this.nodes.set(id, node);
    return node;
  }

  /** A node restarted from a prepared disk (for log-shape tests). */
  addFromDisk(id: NodeId, disk: Disk, bootstrap: ConfState, options: Partial<RaftOptions> = {}): TestNode {
    const node = this.add(id, bootstrap, options);
    node.disk = disk;
    node.core = new this.Core(this.opts(id, options), {
      hardState: disk.hardState,
      entries: disk.entries,
      bootstrap,
      ...(disk.snapshot === undefined ? {} : { snapshot: disk.snapshot }),
    });
    return node;
  }

  private opts(id: NodeId, extra: Partial<RaftOptions>): RaftOptions {
    return { electionTicks: 10, heartbeatTicks: 1, ...this.options, ...extra, id, random: seededRandom(this.seed++ * 7919) };
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  core(id: NodeId): RawNode {
    return this.node(id).core;
  }

  /** Process one Ready of `id`: write to disk, queue messages, apply. */
  handleReady(n: TestNode): boolean {
    if (!n.up || !n.core.hasReady()) return false;
    const rd = n.core.ready();
    this.queue.push(...rd.messages);
    if (rd.seq > 0) {
      if (n.autoPersist) {
        this.write(n, rd);
        n.core.persisted(rd.seq);
        this.queue.push(...rd.messagesAfterPersist);
      } else {
        n.unpersisted.push({ seq: rd.seq, ready: rd, after: [...rd.messagesAfterPersist] });
      }
    } else {
      this.queue.push(...rd.messagesAfterPersist);
    }
    if (rd.snapshot !== undefined) {
      n.applied = rd.snapshot.data.byteLength === 0 ? [] : str(rd.snapshot.data).split(',');
      n.appliedIndex = rd.snapshot.meta.index;
    }
    for (const e of rd.committedEntries) {
      if (e.index !== n.appliedIndex + 1) throw new Error(`${n.id} applies ${e.index} after ${n.appliedIndex}`);
      this.onApply?.(n, e);
      n.appliedIndex = e.index;
      if (e.type === 'normal') n.applied.push(str(e.data));
    }
    n.confStates.push(...rd.confStates);
    for (const rs of rd.readStates) n.readStates.push({ index: rs.index, context: str(rs.context) });
    n.core.advance(rd);
    if (rd.committedEntries.length > 0 || rd.snapshot !== undefined) n.core.appliedTo(n.appliedIndex);
    return true;
  }

  /** Make the first `count` held writes of `id` durable (in order) and release what depended on them. */
  flush(id: NodeId, count = Infinity): void {
    const n = this.node(id);
    const done = n.unpersisted.slice(0, count);
    n.unpersisted = n.unpersisted.slice(done.length);
    for (const u of done) {
      this.write(n, u.ready);
      n.core.persisted(u.seq);
      this.queue.push(...u.after);
    }
  }

  private write(n: TestNode, rd: Ready): void {
    const d = n.disk;
    if (rd.snapshot !== undefined) {
      d.snapshot = rd.snapshot;
      d.entries = [];
    }
    const first = rd.entries[0];
    if (first !== undefined) {
      d.entries = d.entries.filter((e) => e.index < first.index);
      d.entries.push(...rd.entries);
    }
    if (rd.hardState !== undefined) d.hardState = rd.hardState;
  }

  private deliverable(m: Message): boolean {
    const to = this.nodes.get(m.to);
    const from = this.nodes.get(m.from);
    if (to === undefined || !to.up || from === undefined || !from.up) return false;
    return this.filters.every((f) => f(m));
  }

  /** Deliver queued messages and process Readys until nothing moves. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const n of this.nodes.values()) while (this.handleReady(n)) moved = true;
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        moved = true;
        if (!this.deliverable(m)) continue;
        this.log.push(m);
        this.node(m.to).core.step(m);
      }
      if (!moved) return;
    }
    throw new Error('network did not stabilize');
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) this.node(id).core.tick();
  }

  /** Tick every live node `times` times, stabilizing after each tick. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const n of this.nodes.values()) if (n.up) n.core.tick();
      this.stabilize();
    }
  }

  campaign(id: NodeId): void {
    this.core(id).campaign();
    this.stabilize();
  }

  propose(id: NodeId, data: string): ReturnType<RawNode['propose']> {
    const out = this.core(id).propose(text(data));
    this.stabilize();
    return out;
  }

  isolate(id: NodeId): void {
    this.filters.push((m) => m.from !== id && m.to !== id);
  }

  partition(...groups: NodeId[][]): void {
    const groupOf = new Map<NodeId, number>();
    for (const [i, g] of groups.entries()) {
      for (const id of g) groupOf.set(id, i);
    }
    this.filters.push((m) => groupOf.get(m.from) === groupOf.get(m.to));
  }

  heal(): void {
    this.filters = [];
  }

  crash(id: NodeId): void {
    const n = this.node(id);
    n.up = false;
    n.unpersisted = [];
  }

  /** Restart from what reached the disk; the state machine restarts from the snapshot. */
  restart(id: NodeId, bootstrap = this.bootstraps.get(id)): void {
    const n = this.node(id);
    const d = n.disk;
    n.core = new this.Core(this.opts(id, {}), {
      hardState: d.hardState,
      entries: d.entries,
      ...(d.snapshot === undefined ? {} : { snapshot: d.snapshot }),
      ...(bootstrap === undefined ? {} : { bootstrap }),
    });
    n.applied = d.snapshot === undefined || d.snapshot.data.byteLength === 0 ? [] : str(d.snapshot.data).split(',');
    n.appliedIndex = d.snapshot?.meta.index ?? 0;
    n.up = true;
    n.unpersisted = [];
  }

  /** The node's state machine snapshots itself at its applied index and the core compacts. */
  snapshot(id: NodeId, keepEntries = 0): Snapshot {
    const n = this.node(id);
    const index = n.appliedIndex;
    const term = n.disk.entries.find((e) => e.index === index)?.term ?? n.disk.snapshot?.meta.term ?? 0;
    const snap: Snapshot = { meta: { index, term, conf: n.core.status().conf }, data: text(n.applied.join(',')) };
    n.core.compact(snap, keepEntries);
    n.disk.snapshot = snap;
    n.disk.entries = n.disk.entries.filter((e) => e.index > index - keepEntries);
    return snap;
  }

  leader(): NodeId | undefined {
    const leaders = [...this.nodes.values()].filter((n) => n.up && n.core.status().role === 'leader');
    const top = leaders.sort((a, b) => b.core.status().term - a.core.status().term)[0];
    return top?.id;
  }
}
