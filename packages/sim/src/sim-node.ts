/**
 * One simulated server: the real core (`RaftCore`) driven by the simulator's own ready
 * loop, with a simulated durable store and the key-value state machine. The loop keeps the
 * `Ready` rules: writes are queued in seq order and reported with `persisted(seq)` once
 * durable; `messagesAfterPersist` and committed entries that are not yet durable wait for
 * that acknowledgement; everything gated is released strictly in order.
 */
import type {
  ConfState,
  Entry,
  HardState,
  LogWrite,
  Message,
  NodeId,
  RaftCore,
  RaftOptions,
  RaftRestore,
  ReadState,
  Ready,
  Role,
  Snapshot,
} from '@webraft/core';
import { emptyHardState } from '@webraft/core';
import { decodeCommand, encodeCommand, KvStore, type KvCommand, type KvResult } from './kv.ts';
import { SimStore } from './store.ts';

export type CoreFactory = (options: RaftOptions, restore: RaftRestore) => RaftCore;

export interface ClientRequest {
  readonly client: string;
  readonly attempt: number;
  readonly command: KvCommand;
  /** How a `get` is served: through the log, or by a ReadIndex round. */
  readonly read: 'log' | 'readIndex';
}

export type ClientReply =
  | { readonly kind: 'result'; readonly result: KvResult }
  | { readonly kind: 'refused'; readonly reason: string; readonly leader: NodeId };

/** What a node reports to the world around it (network, invariants, clients). */
export interface NodeHost {
  readonly now: number;
  send(message: Message): void;
  /** Durability delay of one write, in virtual ms. */
  writeDelay(): number;
  scheduleDurable(node: SimNode, at: number): void;
  reply(node: SimNode, request: ClientRequest, reply: ClientReply): void;
  /** Called after the Ready's writes were queued; `before` is the node as it was before the Ready. */
  onReady(node: SimNode, ready: Ready, before: NodeBefore): void;
  onApply(node: SimNode, entry: Entry): void;
  onRestoreSnapshot(node: SimNode, snapshot: Snapshot, appliedBefore: number): void;
}

export interface NodeBefore {
  readonly hardState: HardState;
  readonly role: Role;
  readonly lastIndex: number;
}

type Gated =
  | { readonly gate: number; readonly kind: 'send'; readonly messages: readonly Message[] }
  | { readonly gate: number; readonly kind: 'restore'; readonly snapshot: Snapshot }
  | { readonly gate: number; readonly kind: 'apply'; readonly entries: readonly Entry[]; readonly confs: readonly ConfState[] }
  | { readonly gate: number; readonly kind: 'reads'; readonly reads: readonly ReadState[] };

export interface SimNodeConfig {
  readonly id: NodeId;
  readonly voters: readonly NodeId[];
  readonly options: Omit<RaftOptions, 'id' | 'random'>;
  readonly random: () => number;
  readonly createCore: CoreFactory;
  /** Take a snapshot of the state machine every this many applied entries (0: never). */
  readonly snapshotEvery: number;
  /** Entries kept before a snapshot's index for slow followers. */
  readonly keepEntries: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class SimNode {
  readonly id: NodeId;
  readonly store = new SimStore();
  core: RaftCore | undefined;
  kv = new KvStore();
  /** Bumped at each restart so events of an earlier life are ignored. */
  incarnation = 0;
  role: Role = 'follower';
  lead: NodeId = '';
  hardState: HardState = emptyHardState;
  applied = 0;
  appliedTerm = 0;
  conf: ConfState;
  /** Virtual ms per tick, with this node's clock skew. */
  tickMs = 10;

  private durableSeq = 0;
  private lastSeq = 0;
  private gated: Gated[] = [];
  private readonly waiting = new Map<string, ClientRequest>();
  private readonly reads = new Map<string, ClientRequest>();
  private servedReads: { index: number; request: ClientRequest }[] = [];
  private sinceSnapshot = 0;

  constructor(
    private readonly config: SimNodeConfig,
    private readonly host: NodeHost,
  ) {
    this.id = config.id;
    this.conf = { voters: config.voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  }

  get up(): boolean {
    return this.core !== undefined;
  }

  /** Starts (or restarts) the core from what the store holds durably. */
  start(): void {
    const image = this.store.durable;
    const snapshot = image.snapshot;
    this.kv = new KvStore();
    if (snapshot) this.kv.restore(snapshot.data);
    this.applied = snapshot?.meta.index ?? 0;
    this.appliedTerm = snapshot?.meta.term ?? 0;
    this.conf = snapshot?.meta.conf ?? {
      voters: this.config.voters,
      learners: [],
      votersOutgoing: [],
      learnersNext: [],
      autoLeave: false,
    };
    this.hardState = image.hardState;
    this.role = 'follower';
    this.lead = '';
    this.durableSeq = 0;
    this.lastSeq = 0;
    this.gated = [];
    this.sinceSnapshot = 0;
    this.incarnation++;
    const restore: RaftRestore = {
      hardState: image.hardState,
      entries: image.entries.slice(),
      bootstrap: { voters: this.config.voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      applied: this.applied,
      ...(snapshot ? { snapshot } : {}),
    };
    this.core = this.config.createCore({ ...this.config.options, id: this.id, random: this.config.random }, restore);
  }

  /** Loses all volatile state and every write not yet durable (but `survivors` of them). */
  crash(survivors: number): void {
    this.core = undefined;
    this.store.crash(survivors);
    this.waiting.clear();
    this.reads.clear();
    this.servedReads = [];
    this.gated = [];
    this.role = 'follower';
    this.lead = '';
  }

  tick(): void {
    this.core?.tick();
    this.drive();
  }

  receive(message: Message): void {
    this.core?.step(message);
    this.drive();
  }

  /** A client request arrived at this node. */
  serve(request: ClientRequest): void {
    const core = this.core;
    if (core === undefined) return;
    const { command } = request;
    if (command.input.op === 'get' && request.read === 'readIndex') {
      const context = `${command.id}#${request.attempt}`;
      this.reads.set(context, request);
      core.readIndex(encoder.encode(context));
    } else {
      const outcome = core.propose(encodeCommand(command));
      if (outcome.ok) this.waiting.set(command.id, request);
      else this.host.reply(this, request, { kind: 'refused', reason: outcome.reason, leader: outcome.leader });
    }
    this.drive();
  }

  /** Writes due by now became durable. */
  durable(): void {
    const core = this.core;
    if (core === undefined) return;
    for (const done of this.store.flush(this.host.now)) {
      if (done.seq > 0) {
        this.durableSeq = done.seq;
        core.persisted(done.seq);
      } else if (done.write.saveSnapshot) {
        core.compact(done.write.saveSnapshot, this.config.keepEntries);
      }
    }
    this.drive();
  }

  /** Runs the ready loop until the core has nothing more to say. */
  drive(): void {
    for (;;) {
      const core = this.core;
      if (core === undefined) return;
      this.release();
      if (!core.hasReady()) return;
      this.handle(core, core.ready());
    }
  }

  private handle(core: RaftCore, rd: Ready): void {
    const before: NodeBefore = { hardState: this.hardState, role: this.role, lastIndex: this.store.view.lastIndex };
    if (rd.softState) {
      this.role = rd.softState.role;
      this.lead = rd.softState.lead;
    }
    if (rd.hardState) this.hardState = rd.hardState;
    if (rd.seq > 0) {
      const write: LogWrite = {
        ...(rd.snapshot ? { installSnapshot: rd.snapshot } : {}),
        ...(rd.entries.length > 0 ? { entries: rd.entries } : {}),
        ...(rd.hardState ? { hardState: rd.hardState } : {}),
      };
      const pending = this.store.write(rd.seq, write, this.host.now, this.host.writeDelay());
      this.lastSeq = rd.seq;
      this.host.scheduleDurable(this, pending.durableAt);
    }
    this.host.onReady(this, rd, before);
    for (const m of rd.messages) this.host.send(m);
    if (rd.snapshot) this.gated.push({ gate: rd.seq, kind: 'restore', snapshot: rd.snapshot });
    if (rd.committedEntries.length > 0) {
      const first = rd.entries[0];
      const last = rd.committedEntries[rd.committedEntries.length - 1] as Entry;
      const gate = first !== undefined && last.index >= first.index ? rd.seq : 0;
      this.gated.push({ gate, kind: 'apply', entries: rd.committedEntries, confs: rd.confStates });
    }
    if (rd.messagesAfterPersist.length > 0) {
      // A Ready without writes may still answer on the strength of earlier, unfinished ones.
      this.gated.push({ gate: rd.seq > 0 ? rd.seq : this.lastSeq, kind: 'send', messages: rd.messagesAfterPersist });
    }
    if (rd.readStates.length > 0) this.gated.push({ gate: 0, kind: 'reads', reads: rd.readStates });
    core.advance(rd);
  }

  private release(): void {
    while (this.gated.length > 0 && (this.gated[0] as Gated).gate <= this.durableSeq) {
      const item = this.gated.shift() as Gated;
      switch (item.kind) {
        case 'send':
          for (const m of item.messages) this.host.send(m);
          break;
        case 'restore':
          this.restoreSnapshot(item.snapshot);
          break;
        case 'apply':
          this.applyEntries(item.entries, item.confs);
          break;
        case 'reads':
          for (const rs of item.reads) {
            const request = this.reads.get(decoder.decode(rs.context));
            if (request === undefined) continue;
            this.reads.delete(decoder.decode(rs.context));
            this.servedReads.push({ index: rs.index, request });
          }
          this.serveReads();
          break;
      }
      if (this.core === undefined) return;
    }
  }

  private restoreSnapshot(snapshot: Snapshot): void {
    const before = this.applied;
    this.kv.restore(snapshot.data);
    this.applied = snapshot.meta.index;
    this.appliedTerm = snapshot.meta.term;
    this.conf = snapshot.meta.conf;
    this.host.onRestoreSnapshot(this, snapshot, before);
    this.core?.appliedTo(this.applied);
  }

  private applyEntries(entries: readonly Entry[], confs: readonly ConfState[]): void {
    let confIndex = 0;
    for (const entry of entries) {
      if (entry.index <= this.applied) continue;
      this.host.onApply(this, entry);
      this.applied = entry.index;
      this.appliedTerm = entry.term;
      if (entry.type === 'config') {
        const conf = confs[confIndex++];
        if (conf) this.conf = conf;
      } else if (entry.type === 'normal') {
        const command = decodeCommand(entry.data);
        const result = this.kv.apply(command);
        const request = this.waiting.get(command.id);
        if (request !== undefined) {
          this.waiting.delete(command.id);
          this.host.reply(this, request, { kind: 'result', result });
        }
      }
    }
    this.core?.appliedTo(this.applied);
    this.serveReads();
    this.maybeSnapshot(entries.length);
  }

  private serveReads(): void {
    if (this.servedReads.length === 0) return;
    const still: { index: number; request: ClientRequest }[] = [];
    for (const r of this.servedReads) {
      if (r.index > this.applied) still.push(r);
      else this.host.reply(this, r.request, { kind: 'result', result: { applied: true, value: this.kv.get(r.request.command.input.key) } });
    }
    this.servedReads = still;
  }

  private maybeSnapshot(applied: number): void {
    if (this.config.snapshotEvery <= 0) return;
    this.sinceSnapshot += applied;
    if (this.sinceSnapshot < this.config.snapshotEvery) return;
    this.snapshotNow();
  }

  /** Snapshots the state machine now and compacts the log once it is durable (a user's request). */
  snapshotNow(): void {
    if (this.core === undefined || this.applied <= this.store.view.offset) return;
    this.sinceSnapshot = 0;
    const snapshot: Snapshot = {
      meta: { index: this.applied, term: this.appliedTerm, conf: this.conf },
      data: this.kv.snapshot(),
    };
    const pending = this.store.write(0, { saveSnapshot: snapshot }, this.host.now, this.host.writeDelay());
    this.host.scheduleDurable(this, pending.durableAt);
  }
}
