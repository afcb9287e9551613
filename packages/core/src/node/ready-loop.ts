/**
 * The node's one ready loop and its life. Every input (proposal, message, tick) goes straight
 * into the core, and one microtask later a single cycle handles every Ready that accumulated:
 * its writes go to the LogStore at once, in order; the messages that depend on them,
 * `persisted(seq)` and the apply of its committed entries follow once that write and every
 * earlier one are durable. The loop also ticks the core with the injected clock, and starts,
 * stops and fails the node.
 */
import type { RaftCore, Ready } from '../raft/contract.ts';
import type { HardState, Message, NodeId, Role, Snapshot, SoftState } from '../raft/types.ts';
import type { LogStore, LogWrite } from '../storage/log-store.ts';
import type { Transport, TransportHandlers, TransportStatus } from '../transport/transport.ts';
import { toError, type Applier } from './applier.ts';
import type { Emitter } from './emitter.ts';
import { RaftNodeError, StorageError, StoppedError } from './errors.ts';
import type { ConfWatch, LeaderWatch } from './leader-watch.ts';
import type { Members } from './members.ts';
import type { NodeState, RaftNodeEvents, RaftNodeMetrics } from './options.ts';
import type { Proposals } from './proposals.ts';
import type { Reads } from './reads.ts';
import type { Requests } from './requests.ts';
import type { Clock } from './state-machine.ts';
import { WriteQueue } from './write-queue.ts';

/** What the loop drives and whom it settles; built by RaftNode. */
export interface LoopParts {
  readonly id: NodeId;
  readonly log: LogStore;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly tickMs: number;
  /** Entries kept below a snapshot of this node's own when the log is compacted. */
  readonly keepEntries: number;
  readonly metrics: RaftNodeMetrics;
  readonly events: Emitter<RaftNodeEvents>;
  readonly proposals: Proposals;
  readonly reads: Reads;
  readonly leaders: LeaderWatch;
  readonly confs: ConfWatch;
}

export class ReadyLoop {
  readonly id: NodeId;
  readonly metrics: RaftNodeMetrics;
  readonly events: Emitter<RaftNodeEvents>;
  readonly writes: WriteQueue;
  // Set once, right after construction: boot.ts builds the core from the store, and RaftNode
  // hands in the parts that need the loop themselves.
  core!: RaftCore;
  applier!: Applier;
  requests!: Requests;
  members!: Members;
  state: NodeState = 'created';
  role: Role = 'follower';
  lead: NodeId = '';
  term = 0;
  commit = 0;
  /** Clock time at the last tick; deadlines are checked once per tick, so that precision suffices. */
  now = 0;
  /** This node's store identity (HardState.store); undefined for a store from before it was tracked. */
  store: string | undefined;
  /** Highest snapshot index handed to the store, so an older self-snapshot is never saved after it. */
  snapshotFloor = 0;
  /** What the transport last reported of its own connection (transports with none never report). */
  transportStatus: TransportStatus | undefined;
  /** A ready cycle is scheduled and has not run yet. */
  scheduled = false;
  /** A ready cycle is running (a transport that delivers synchronously must not start another). */
  cycling = false;
  readonly #parts: LoopParts;
  #tickHandle: unknown;
  #stopping: Promise<void> | undefined;

  constructor(parts: LoopParts) {
    this.#parts = parts;
    this.id = parts.id;
    this.metrics = parts.metrics;
    this.events = parts.events;
    this.writes = new WriteQueue(parts.log, (error) => this.fail(new StorageError(`node ${this.id}: log write failed`, { cause: error })));
  }

  /** Starts the transport and the clock. */
  async start(handlers: TransportHandlers): Promise<void> {
    if (this.state !== 'created') throw new StoppedError(`node ${this.id} cannot start: it is ${this.state}`);
    this.state = 'running';
    this.now = this.#parts.clock.now();
    try {
      await this.#parts.transport.start(handlers);
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
    if (this.state !== 'running') return;
    this.#tickHandle = this.#parts.clock.setTimeout(this.#onTick, this.#parts.tickMs);
    this.members.start();
    this.schedule();
  }

  /**
   * Stops ticking and receiving, rejects every pending call with StoppedError, waits for the
   * writes already issued, then closes the transport and the log store. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown('stopped', new StoppedError(`node ${this.id} stopped`));
    return this.#stopping;
  }

  readonly #onTick = (): void => {
    this.#tickHandle = undefined;
    if (this.state !== 'running') return;
    this.now = this.#parts.clock.now();
    try {
      this.core.tick();
    } catch (error) {
      this.fail(new RaftNodeError(`node ${this.id}: the core failed on a tick`, { cause: error }));
      return;
    }
    const { proposals, reads, leaders, confs } = this.#parts;
    proposals.expire(this.now);
    reads.expire(this.now);
    leaders.expire(this.now);
    confs.expire(this.now);
    this.members.tick();
    this.#tickHandle = this.#parts.clock.setTimeout(this.#onTick, this.#parts.tickMs);
    this.schedule();
  };

  schedule(): void {
    if (this.scheduled || this.state !== 'running') return;
    this.scheduled = true;
    queueMicrotask(this.cycle);
  }

  /** One ready cycle: every input since the last cycle is handled by the Readys taken here. */
  readonly cycle = (): void => {
    this.scheduled = false;
    if (this.state !== 'running' || this.cycling) return;
    this.cycling = true;
    try {
      this.requests.flush();
      while (this.state === 'running' && this.core.hasReady()) {
        const ready = this.core.ready();
        // Nothing below calls into the core before `advance`: a Ready is taken and returned
        // in one step, and its work is started right after, with no await in between.
        this.core.advance(ready);
        this.#process(ready);
      }
    } catch (error) {
      this.fail(new RaftNodeError(`node ${this.id}: the ready loop failed`, { cause: error }));
    } finally {
      this.cycling = false;
    }
  };

  #process(ready: Ready): void {
    if (ready.hardState !== undefined) this.#noteHardState(ready.hardState);
    if (ready.softState !== undefined) this.#noteSoftState(ready.softState);
    const messages = ready.messages;
    for (let i = 0; i < messages.length; i++) this.send(messages[i]!);
    for (const readState of ready.readStates) this.#parts.reads.confirmed(readState.context, readState.index, this.applier.applied);
    let batch: LogWrite | undefined;
    if (ready.hardState !== undefined || ready.entries.length > 0 || ready.snapshot !== undefined) {
      batch = { installSnapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState };
      if (ready.snapshot !== undefined) this.snapshotFloor = Math.max(this.snapshotFloor, ready.snapshot.meta.index);
      this.metrics.writes++;
    }
    this.writes.push(batch, () => this.#persisted(ready));
  }

  /** Runs once the Ready's writes (and all earlier ones) are durable. */
  #persisted(ready: Ready): void {
    if (this.state !== 'running') return;
    if (ready.seq !== 0) this.core.persisted(ready.seq);
    const after = ready.messagesAfterPersist;
    for (let i = 0; i < after.length; i++) this.send(after[i]!);
    if (ready.committedEntries.length > 0 || ready.snapshot !== undefined) {
      this.applier.enqueue(ready.snapshot, ready.committedEntries, ready.confStates);
    }
    this.schedule();
  }

  send(message: Message): void {
    this.metrics.messagesSent++;
    try {
      this.#parts.transport.send(message);
    } catch (error) {
      // `send` must not throw (a lost message is Raft's normal weather); one that does is
      // reported, and the message counts as lost.
      this.emitError(new RaftNodeError(`transport.send threw for a ${message.type} to ${message.to}`, { cause: error }));
    }
  }

  /** The state machine reached `index` (after a batch of entries or a restore). */
  applied(index: number): void {
    if (this.state !== 'running') return;
    this.core.appliedTo(index);
    this.#parts.confs.changed(this.applier.conf);
    this.#parts.reads.applied(index);
    this.schedule();
  }

  /** A snapshot of the state machine at its applied index: made durable, then the log is compacted. */
  saveSnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    if (this.state !== 'running' || index <= this.snapshotFloor) return;
    this.snapshotFloor = index;
    this.metrics.writes++;
    const keepEntries = this.#parts.keepEntries;
    this.writes.push({ saveSnapshot: snapshot, compactTo: Math.max(0, index - keepEntries) }, () => {
      if (this.state !== 'running') return;
      if (index === this.snapshotFloor) this.core.compact(snapshot, keepEntries);
      this.metrics.snapshotsTaken++;
      this.events.emit('snapshotTaken', { index, term, bytes: snapshot.data.length }, this.listenerError);
      this.schedule();
    });
  }

  #noteHardState(hardState: HardState): void {
    if (hardState.term !== this.term) {
      const previous = this.term;
      this.term = hardState.term;
      this.events.emit('termChanged', { term: this.term, previous }, this.listenerError);
    }
    if (hardState.commit > this.commit) {
      this.commit = hardState.commit;
      if (this.events.has('committed')) this.events.emit('committed', { index: this.commit }, this.listenerError);
    }
  }

  #noteSoftState(soft: SoftState): void {
    if (soft.role !== this.role) {
      const previous = this.role;
      this.role = soft.role;
      this.events.emit('roleChanged', { role: soft.role, previous, term: this.term }, this.listenerError);
    }
    if (soft.lead !== this.lead) {
      const previous = this.lead;
      this.lead = soft.lead;
      this.events.emit('leaderChanged', { leader: soft.lead, previous, term: this.term }, this.listenerError);
      this.#parts.leaders.changed(soft.lead);
    }
  }

  // --- failure and shutdown ----------------------------------------------------------------

  emitError(error: Error, fatal = false): void {
    this.events.emit('error', { error, fatal }, () => {
      // A throwing error listener has nowhere left to report to.
    });
  }

  readonly listenerError = (error: unknown): void => this.emitError(toError(error));

  /** Stops the node for good: nothing it has not made durable is acknowledged. */
  fail(error: Error): void {
    if (this.state !== 'running' && this.state !== 'created') return;
    this.emitError(error, true);
    this.#stopping ??= this.#shutdown('failed', new StoppedError(`node ${this.id} stopped: ${error.message}`, { cause: error }));
  }

  async #shutdown(state: 'stopped' | 'failed', error: StoppedError): Promise<void> {
    const wasStarted = this.state !== 'created';
    this.state = state;
    if (this.#tickHandle !== undefined) this.#parts.clock.clearTimeout(this.#tickHandle);
    this.#tickHandle = undefined;
    this.writes.halt();
    this.requests.clearBatch();
    this.applier.stop();
    const { proposals, reads, leaders, confs } = this.#parts;
    proposals.failAll(error);
    reads.failAll(error);
    leaders.failAll(error);
    confs.failAll(error);
    this.members.failAll(error);
    if (wasStarted) await this.#parts.transport.close().catch((e: unknown) => this.emitError(toError(e)));
    await this.writes.settled();
    await this.#parts.log.close().catch((e: unknown) => this.emitError(toError(e)));
  }
}
