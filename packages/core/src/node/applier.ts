/**
 * Applies committed entries to the user's state machine exactly once, in index order, and
 * takes and restores snapshots between them. Synchronous state machines run without a single
 * Promise on the way; an `apply`, `snapshot` or `restore` that returns one pauses the queue
 * until it settles, so order holds either way.
 */
import type { ConfState, Entry, Snapshot } from '../raft/types.ts';
import type { Emitter } from './emitter.ts';
import { decodeBatch, isBatch, type Envelope, type EnvelopeCodec } from './envelope.ts';
import { EntryDecodeError, SessionExpiredError, StaleRequestError, StorageError } from './errors.ts';
import type { RaftNodeEvents, RaftNodeMetrics } from './options.ts';
import type { Outcome, Proposals } from './proposals.ts';
import type { ReadyLoop } from './ready-loop.ts';
import type { SessionOutcome, SessionTable } from './sessions.ts';
import { unwrapSnapshot, wrapSnapshot } from './snapshot-image.ts';
import type { CommandCodec, StateMachine } from './state-machine.ts';

export interface SnapshotPolicy {
  readonly everyEntries: number;
  readonly everyBytes: number;
}

interface ApplyTask {
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly confStates: readonly ConfState[];
  pos: number;
  confPos: number;
  restored: boolean;
  /** `[start, end)` of each command of the batch entry at `pos` while it is being applied. */
  items: number[] | undefined;
  itemPos: number;
}

/** An apply result, a `restore`, or a `snapshot` that has not settled yet. */
type Pending = PromiseLike<unknown> | undefined;

/** Replays of failed session requests reject with this, carrying the first error's message. */
export class ReplayedApplyError extends Error {
  override readonly name = 'ReplayedApplyError';
}

export class Applier {
  applied = 0;
  appliedTerm = 0;
  conf: ConfState;
  private readonly queue: ApplyTask[] = [];
  private busy = false;
  private stopped = false;
  private snapshotIndex = 0;
  private bytesSinceSnapshot = 0;
  private snapshotWanted = false;
  private reportedIndex = 0;
  private readonly metrics: RaftNodeMetrics;
  private readonly events: Emitter<RaftNodeEvents<unknown, unknown>>;

  /**
   * @param loop told when the state machine reached an index, when a snapshot of it is ready
   *   to be made durable, and of errors (fatal ones stop the node)
   * @param proposals settled here with what `apply` returned: the reply to each caller
   */
  constructor(
    private readonly loop: ReadyLoop,
    private readonly proposals: Proposals,
    private readonly stateMachine: StateMachine<unknown, unknown>,
    private readonly commands: CommandCodec<unknown>,
    private readonly envelopes: EnvelopeCodec,
    private readonly sessions: SessionTable,
    private readonly policy: SnapshotPolicy,
    initialConf: ConfState,
  ) {
    this.conf = initialConf;
    this.metrics = loop.metrics;
    this.events = loop.events;
  }

  /** Restores from the snapshot a LogStore held at start-up. */
  async restoreInitial(snapshot: Snapshot): Promise<void> {
    await this.stateMachine.restore(unwrapSnapshot(snapshot.data, this.sessions));
    this.setRestored(snapshot);
    this.snapshotIndex = snapshot.meta.index;
    this.reportedIndex = this.applied;
  }

  enqueue(snapshot: Snapshot | undefined, entries: readonly Entry[], confStates: readonly ConfState[]): void {
    this.queue.push({ snapshot, entries, confStates, pos: 0, confPos: 0, restored: false, items: undefined, itemPos: 0 });
    this.run();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  /** Takes a snapshot at the next point between entries, whatever the policy says. */
  snapshotSoon(): void {
    this.snapshotWanted = true;
    this.run();
  }

  private run(): void {
    while (!this.busy && !this.stopped) {
      const task = this.queue[0];
      // Between entries (never inside a batch entry) the state machine is exactly at `applied`.
      if (this.snapshotWanted && task?.items === undefined) {
        this.pause(this.takeSnapshot());
        continue;
      }
      if (task === undefined) {
        this.report();
        return;
      }
      if (task.snapshot !== undefined && !task.restored) {
        task.restored = true;
        this.pause(this.restore(task.snapshot));
        continue;
      }
      if (task.pos === task.entries.length) {
        this.queue.shift();
        continue;
      }
      const entry = task.entries[task.pos]!;
      if (entry.index <= this.applied) {
        task.pos++;
        continue;
      }
      if (entry.type === 'normal' && isBatch(entry.data)) {
        this.pause(this.applyBatchStep(entry, task));
        continue;
      }
      task.pos++;
      this.pause(this.applyEntry(entry, task));
    }
  }

  /** Holds the queue until `pending` settles; a failure there is fatal (state would diverge). */
  private pause(pending: Pending): void {
    if (pending === undefined) return;
    this.busy = true;
    this.report();
    pending.then(
      () => {
        this.busy = false;
        this.run();
      },
      (error: unknown) => {
        this.stopped = true;
        this.loop.fail(toError(error));
      },
    );
  }

  private report(): void {
    if (this.applied === this.reportedIndex) return;
    this.reportedIndex = this.applied;
    this.loop.applied(this.applied);
  }

  private restore(snapshot: Snapshot): Pending {
    if (snapshot.meta.index < this.applied) return undefined;
    if (snapshot.meta.index === this.applied) {
      // The founders' first configuration, at index 0: nothing was applied, nothing to restore.
      this.conf = snapshot.meta.conf;
      return undefined;
    }
    const done = (): void => {
      this.setRestored(snapshot);
      this.snapshotIndex = snapshot.meta.index;
      this.bytesSinceSnapshot = 0;
      this.metrics.snapshotsInstalled++;
      const { index, term } = snapshot.meta;
      this.events.emit('snapshotInstalled', { index, term, bytes: snapshot.data.length }, this.listenerError);
    };
    let result: void | Promise<void>;
    try {
      result = this.stateMachine.restore(unwrapSnapshot(snapshot.data, this.sessions));
    } catch (error) {
      return Promise.reject(new StorageError(`cannot restore snapshot ${snapshot.meta.index}`, { cause: error }));
    }
    if (isThenable(result)) return result.then(done);
    done();
    return undefined;
  }

  private setRestored(snapshot: Snapshot): void {
    this.applied = snapshot.meta.index;
    this.appliedTerm = snapshot.meta.term;
    this.conf = snapshot.meta.conf;
  }

  private applyEntry(entry: Entry, task: ApplyTask): Pending {
    const leaderSeq = this.proposals.appliedAt(entry.index, entry.term);
    if (entry.type === 'normal') {
      const pending = this.applyCommand(entry, 0, entry.data.length);
      if (pending === undefined) {
        this.advance(entry);
        return undefined;
      }
      return pending.then(() => this.advance(entry));
    }
    if (entry.type === 'config') {
      const conf = task.confStates[task.confPos++] ?? this.conf;
      this.conf = conf;
      if (leaderSeq !== undefined) this.proposals.resolve(leaderSeq, conf);
      this.events.emit('membershipChanged', { index: entry.index, conf }, this.listenerError);
    }
    if (this.events.has('applied')) this.events.emit('applied', { index: entry.index, term: entry.term, type: entry.type }, this.listenerError);
    this.advance(entry);
    return undefined;
  }

  /** The next command of a batch entry, or (at its end) the entry itself done. */
  private applyBatchStep(entry: Entry, task: ApplyTask): Pending {
    if (task.items === undefined) {
      try {
        task.items = decodeBatch(entry.data);
      } catch (error) {
        this.loop.emitError(new EntryDecodeError(entry.index, 'malformed command batch', { cause: error }));
        task.items = [];
      }
      task.itemPos = 0;
    }
    const items = task.items;
    // The commands of one entry in a tight loop; only an asynchronous apply pauses it.
    while (task.itemPos < items.length) {
      const start = items[task.itemPos++]!;
      const pending = this.applyCommand(entry, start, items[task.itemPos++]!, task.itemPos / 2 - 1);
      if (pending !== undefined || this.stopped) return pending;
    }
    task.items = undefined;
    task.pos++;
    this.proposals.appliedAt(entry.index, entry.term);
    this.advance(entry);
    return undefined;
  }

  /**
   * Decodes the command envelope at `entry.data[start..end)` (the `position`-th command of its
   * entry) and applies it; settles its proposer if that is this node.
   */
  private applyCommand(entry: Entry, start: number, end: number, position = 0): Pending {
    let envelope: Envelope;
    try {
      envelope = this.envelopes.decode(entry.data, start, end);
    } catch (error) {
      this.loop.emitError(new EntryDecodeError(entry.index, 'not a RaftNode entry', { cause: error }));
      return undefined;
    }
    if (envelope.register) {
      const clientId = this.sessions.register(entry.index, position);
      this.finish(entry, envelope, { ok: true, value: clientId });
      return undefined;
    }
    const session = envelope.session;
    if (session !== undefined) {
      const check = this.sessions.check(session.clientId, session.seq);
      if (check.kind !== 'apply') {
        if (check.kind === 'duplicate') this.metrics.duplicates++;
        this.finish(entry, envelope, refusal(check, session.clientId, session.seq));
        return undefined;
      }
    }
    let command: unknown;
    try {
      command = this.commands.decode(envelope.payload);
    } catch (error) {
      const failure = new EntryDecodeError(entry.index, 'command does not decode', { cause: error });
      this.loop.emitError(failure);
      this.finish(entry, envelope, { ok: false, error: failure });
      return undefined;
    }
    this.metrics.applies++;
    let result: unknown;
    try {
      result = this.stateMachine.apply(command as never, entry.index);
    } catch (error) {
      this.finish(entry, envelope, { ok: false, error: toError(error) }, true, command);
      return undefined;
    }
    if (isThenable(result)) {
      // The codec reuses its envelope object; keep this one's fields for when `apply` settles.
      const held: Envelope = { ...envelope };
      return result.then(
        (value) => this.finish(entry, held, { ok: true, value }, true, command),
        (error: unknown) => this.finish(entry, held, { ok: false, error: toError(error) }, true, command),
      );
    }
    if (session !== undefined) {
      this.finish(entry, envelope, { ok: true, value: result }, true, command);
      return undefined;
    }
    // The common case, kept free of allocations: a plain command applied synchronously.
    if (envelope.mine) this.proposals.resolve(envelope.originSeq, result);
    if (this.events.has('applied')) this.events.emit('applied', { index: entry.index, term: entry.term, type: 'normal', command, result }, this.listenerError);
    return undefined;
  }

  /** `ran`: the state machine's `apply` ran for this command (so its session records the outcome). */
  private finish(entry: Entry, envelope: Envelope, outcome: Outcome, ran = false, command?: unknown): void {
    const session = envelope.session;
    if (session !== undefined && ran) this.sessions.record(session.clientId, session.seq, toSessionOutcome(outcome), entry.index);
    if (envelope.mine) this.proposals.settle(envelope.originSeq, outcome);
    if (this.events.has('applied')) {
      const result = ran && outcome.ok ? outcome.value : undefined;
      this.events.emit('applied', { index: entry.index, term: entry.term, type: 'normal', command: ran ? command : undefined, result }, this.listenerError);
    }
  }

  /** The entry is done: move the applied index and the snapshot and session clocks. */
  private advance(entry: Entry): void {
    const index = entry.index;
    this.applied = index;
    this.appliedTerm = entry.term;
    this.sessions.onApplied(index);
    this.bytesSinceSnapshot += entry.data.length;
    if (!this.snapshotWanted) this.snapshotWanted = this.snapshotDue();
  }

  private snapshotDue(): boolean {
    const { everyEntries, everyBytes } = this.policy;
    return (
      (everyEntries > 0 && this.applied - this.snapshotIndex >= everyEntries) ||
      (everyBytes > 0 && this.bytesSinceSnapshot >= everyBytes)
    );
  }

  private takeSnapshot(): Pending {
    this.snapshotWanted = false;
    const meta = { index: this.applied, term: this.appliedTerm, conf: this.conf };
    if (meta.index <= this.snapshotIndex) return undefined;
    const done = (data: Uint8Array): void => {
      this.snapshotIndex = meta.index;
      this.bytesSinceSnapshot = 0;
      this.loop.saveSnapshot({ meta, data: wrapSnapshot(data, this.sessions) });
    };
    // A failed snapshot costs only log space: report it and try again after more entries.
    const failed = (error: unknown): void => {
      this.snapshotIndex = meta.index;
      this.bytesSinceSnapshot = 0;
      this.loop.emitError(toError(error));
    };
    let data: Uint8Array | Promise<Uint8Array>;
    try {
      data = this.stateMachine.snapshot();
    } catch (error) {
      failed(error);
      return undefined;
    }
    if (isThenable(data)) return data.then(done, failed);
    done(data);
    return undefined;
  }

  private readonly listenerError = (error: unknown): void => this.loop.emitError(toError(error));
}

function refusal(check: { kind: 'duplicate'; outcome: SessionOutcome } | { kind: 'expired' } | { kind: 'stale'; latest: number }, clientId: string, seq: number): Outcome {
  switch (check.kind) {
    case 'duplicate':
      return check.outcome.ok ? check.outcome : { ok: false, error: new ReplayedApplyError(check.outcome.error) };
    case 'expired':
      return { ok: false, error: new SessionExpiredError(clientId) };
    case 'stale':
      return { ok: false, error: new StaleRequestError(clientId, seq, check.latest) };
  }
}

function toSessionOutcome(outcome: Outcome): SessionOutcome {
  return outcome.ok ? outcome : { ok: false, error: `${outcome.error.name}: ${outcome.error.message}` };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
