/**
 * One cluster member as the scenario harness drives it: the pure core, a synchronous
 * harness-owned durable store, the writes handed out but not yet durable, and a tiny state
 * machine (the list of applied commands) so snapshots carry real data.
 */
import type { RaftCore, RaftOptions, RaftRestore, Ready } from '../../src/raft/contract.ts';
import type { ConfState, Entry, HardState, Message, Snapshot } from '../../src/raft/types.ts';
import { ScenarioError } from './args.ts';

export interface DurableStore {
  hardState: HardState | undefined;
  snapshot: Snapshot | undefined;
  /** Entries after the snapshot (or a few before it when compaction kept some), contiguous. */
  entries: Entry[];
}

interface PendingWrite {
  readonly seq: number;
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | undefined;
  readonly after: readonly Message[];
}

interface PendingApply {
  /** Apply once writes up to this seq are durable (0: at once). */
  readonly afterSeq: number;
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly confStates: readonly ConfState[];
}

interface AppliedCommand {
  readonly index: number;
  readonly data: string;
}

export type CoreFactory = (options: RaftOptions, restore: RaftRestore, mutants: readonly string[]) => RaftCore;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SimNode {
  core: RaftCore | undefined;
  readonly store: DurableStore = { hardState: undefined, snapshot: undefined, entries: [] };
  private pending: PendingWrite[] = [];
  private applyQueue: PendingApply[] = [];
  private persistedSeq = 0;
  /** The state machine: commands applied so far, and the configuration after each config entry. */
  private commands: AppliedCommand[] = [];
  private confHistory: { index: number; conf: ConfState }[] = [];
  applied = 0;
  /**
   * Every entry this node ever applied, by index, kept across crashes: what the state
   * machine saw at each index must never differ between nodes, or between two lives of one
   * node (State Machine Safety).
   */
  readonly appliedHistory = new Map<number, string>();

  constructor(
    readonly id: string,
    readonly options: RaftOptions,
    readonly bootstrap: ConfState | undefined,
    /** Storage writes become durable only on an explicit `persist` (else right after each Ready). */
    readonly asyncStorage: boolean,
    private readonly factory: CoreFactory,
    /** Deliberate bugs to switch on in this node's core (see mutants.ts). */
    private readonly mutants: readonly string[] = [],
  ) {
    this.start();
  }

  get up(): boolean {
    return this.core !== undefined;
  }

  /** (Re)creates the core from the durable store, as a process restart would. */
  start(): void {
    const snap = this.store.snapshot;
    this.commands = snap === undefined ? [] : decodeCommands(snap.data);
    this.confHistory = snap === undefined ? [] : [{ index: snap.meta.index, conf: snap.meta.conf }];
    this.applied = snap?.meta.index ?? 0;
    this.pending = [];
    this.applyQueue = [];
    this.persistedSeq = 0;
    const restore: RaftRestore = {
      ...(this.store.hardState !== undefined ? { hardState: this.store.hardState } : {}),
      ...(snap !== undefined ? { snapshot: snap } : {}),
      entries: this.store.entries.filter((e) => e.index > (snap?.meta.index ?? 0)),
      ...(this.bootstrap !== undefined ? { bootstrap: this.bootstrap } : {}),
      applied: this.applied,
    };
    this.core = this.factory(this.options, restore, this.mutants);
  }

  /** Loses everything not durable: the core, pending writes, the state machine. */
  crash(): void {
    this.core = undefined;
    this.pending = [];
    this.applyQueue = [];
  }

  /**
   * Takes one Ready, queues its writes, and returns it with the messages to send now and any
   * contract violations observed. Messages gated on persistence are released by `persist`.
   */
  handleReady(): { ready: Ready; send: Message[]; violations: string[] } {
    const core = this.mustCore();
    const ready = core.ready();
    const violations = this.checkCommitted(ready);
    const send = [...ready.messages];
    const hasWrites = ready.hardState !== undefined || ready.entries.length > 0 || ready.snapshot !== undefined;
    if (hasWrites && ready.seq === 0) violations.push('Ready has writes but seq=0');
    if (ready.seq !== 0) {
      this.pending.push({
        seq: ready.seq,
        hardState: ready.hardState,
        entries: ready.entries,
        snapshot: ready.snapshot,
        after: ready.messagesAfterPersist,
      });
    } else if (this.pending.length > 0) {
      // Nothing of its own to persist, yet it may depend on earlier writes still in flight.
      const last = this.pending[this.pending.length - 1]!;
      this.pending[this.pending.length - 1] = { ...last, after: [...last.after, ...ready.messagesAfterPersist] };
    } else {
      send.push(...ready.messagesAfterPersist);
    }
    if (ready.committedEntries.length > 0 || ready.snapshot !== undefined) {
      const durable = new Set(this.store.entries.map((e) => `${e.term}/${e.index}`));
      const needsWrite =
        ready.snapshot !== undefined || ready.committedEntries.some((e) => !durable.has(`${e.term}/${e.index}`));
      this.applyQueue.push({
        afterSeq: needsWrite ? (this.pending.at(-1)?.seq ?? 0) : 0,
        snapshot: ready.snapshot,
        entries: ready.committedEntries,
        confStates: ready.confStates,
      });
    }
    core.advance(ready);
    if (!this.asyncStorage) send.push(...this.persist());
    else this.drainApplies();
    return { ready, send, violations };
  }

  get hasPendingWrites(): boolean {
    return this.pending.length > 0;
  }

  get lastPersistedSeq(): number {
    return this.persistedSeq;
  }

  /**
   * Makes queued writes durable (all, or those with seq ≤ `upTo`), tells the core, and returns
   * the messages they unblock.
   */
  persist(upTo = Infinity): Message[] {
    const core = this.mustCore();
    const writes = this.pending.filter((w) => w.seq <= upTo);
    this.pending = this.pending.filter((w) => w.seq > upTo);
    const out: Message[] = [];
    for (const w of writes) {
      if (w.snapshot !== undefined) {
        this.store.snapshot = w.snapshot;
        this.store.entries = [];
      }
      if (w.entries.length > 0) {
        const first = w.entries[0]!.index;
        this.store.entries = this.store.entries.filter((e) => e.index < first).concat(w.entries);
      }
      if (w.hardState !== undefined) this.store.hardState = w.hardState;
      out.push(...w.after);
    }
    if (writes.length > 0) {
      this.persistedSeq = writes[writes.length - 1]!.seq;
      core.persisted(this.persistedSeq);
    }
    this.drainApplies();
    return out;
  }

  /** A snapshot of the state machine at `index` (which must have been applied). */
  snapshotAt(index: number): Snapshot {
    if (index > this.applied) throw new ScenarioError(`index ${index} not applied yet (applied=${this.applied})`);
    const snap = this.store.snapshot;
    const term =
      snap !== undefined && snap.meta.index === index
        ? snap.meta.term
        : this.store.entries.find((e) => e.index === index)?.term;
    if (term === undefined) throw new ScenarioError(`no durable entry at index ${index}`);
    const conf = [...this.confHistory].reverse().find((c) => c.index <= index)?.conf ?? this.bootstrap;
    if (conf === undefined) throw new ScenarioError(`no configuration known at index ${index}`);
    const data = encodeCommands(this.commands.filter((c) => c.index <= index));
    return { meta: { index, term, conf }, data };
  }

  /** Saves `snap` durably, drops log entries it covers (bar `keep`), then tells the core. */
  compact(snap: Snapshot, keep: number): void {
    this.store.snapshot = snap;
    this.store.entries = this.store.entries.filter((e) => e.index > snap.meta.index - keep);
    this.mustCore().compact(snap, keep);
  }

  appliedCommands(): readonly AppliedCommand[] {
    return this.commands;
  }

  mustCore(): RaftCore {
    if (this.core === undefined) throw new ScenarioError(`node ${this.id} is down`);
    return this.core;
  }

  private drainApplies(): void {
    let last = this.applied;
    while (this.applyQueue.length > 0 && this.applyQueue[0]!.afterSeq <= this.persistedSeq) {
      const item = this.applyQueue.shift()!;
      if (item.snapshot !== undefined) {
        this.commands = decodeCommands(item.snapshot.data);
        this.confHistory = [{ index: item.snapshot.meta.index, conf: item.snapshot.meta.conf }];
        last = item.snapshot.meta.index;
      }
      const confEntries = item.entries.filter((e) => e.type === 'config');
      for (const e of item.entries) {
        if (e.index <= last) continue;
        if (e.type === 'normal') this.commands.push({ index: e.index, data: decoder.decode(e.data) });
        const seen = `${e.term}/${e.index} ${e.type === 'normal' ? decoder.decode(e.data) : e.type}`;
        const before = this.appliedHistory.get(e.index);
        if (before === undefined) this.appliedHistory.set(e.index, seen);
        else if (before !== seen) this.appliedHistory.set(e.index, `${before} | ${seen}`);
        last = e.index;
      }
      if (confEntries.length > 0 && confEntries.length === item.confStates.length) {
        for (const [i, e] of confEntries.entries()) this.confHistory.push({ index: e.index, conf: item.confStates[i]! });
      } else if (item.confStates.length > 0) {
        const at = confEntries.at(-1)?.index ?? last;
        this.confHistory.push({ index: at, conf: item.confStates[item.confStates.length - 1]! });
      }
    }
    if (last > this.applied) {
      this.applied = last;
      this.mustCore().appliedTo(last);
    }
  }

  /** §5.4 / Ready contract: an entry handed out to apply must be durable or in the same Ready. */
  private checkCommitted(ready: Ready): string[] {
    const violations: string[] = [];
    const inReady = new Set(ready.entries.map((e) => e.index));
    // Durable means this very entry (index and term) is in the store, not just its index.
    const durable = new Set(this.store.entries.map((e) => `${e.term}/${e.index}`));
    for (const e of ready.committedEntries) {
      if (!inReady.has(e.index) && !durable.has(`${e.term}/${e.index}`)) {
        violations.push(`committed entry ${e.term}/${e.index} is neither durable nor in this Ready`);
      }
    }
    const commit = this.mustCore().status().commit;
    const last = ready.committedEntries.at(-1);
    if (last !== undefined && last.index > commit) {
      violations.push(`entry ${last.term}/${last.index} handed out for applying beyond the commit index ${commit}`);
    }
    if (ready.committedEntries.some((e, i) => i > 0 && e.index !== ready.committedEntries[i - 1]!.index + 1)) {
      violations.push('committed entries are not contiguous');
    }
    return violations;
  }
}

function encodeCommands(commands: readonly AppliedCommand[]): Uint8Array {
  return encoder.encode(JSON.stringify(commands.map((c) => [c.index, c.data])));
}

function decodeCommands(data: Uint8Array): AppliedCommand[] {
  if (data.length === 0) return [];
  const raw = JSON.parse(decoder.decode(data)) as [number, string][];
  return raw.map(([index, d]) => ({ index, data: d }));
}
