/**
 * The simulator's seam into a node: a wrapper around the node's pure core (handed to
 * `RaftNode` through its `createCore` option) that passes every call through unchanged and
 * shows each `Ready` to an observer the moment the node takes it — before the node has sent,
 * written or applied anything of it. The node's own ready loop is untouched.
 */
import type {
  ConfChange,
  Message,
  NodeId,
  ProposeOutcome,
  RaftCore,
  RaftStatus,
  Ready,
  Rejection,
  Snapshot,
} from '@webraft/core';

export interface CoreObserver {
  /** The node took `ready` from its core. */
  ready(ready: Ready, core: RaftCore): void;
  /** The node asked its core to confirm a linearizable read under `context`. */
  readRequested(context: Uint8Array): void;
  /** The node compacted its core's log after a snapshot of its state machine. */
  compacted(snapshot: Snapshot, keepEntries: number): void;
  /** The node's state machine reached `index` (configurations may take effect). */
  applied(index: number, core: RaftCore): void;
}

export class CoreTap implements RaftCore {
  constructor(
    private readonly core: RaftCore,
    private readonly observer: CoreObserver,
  ) {}

  tick(): void {
    this.core.tick();
  }

  step(message: Message): Rejection | undefined {
    return this.core.step(message);
  }

  propose(data: Uint8Array): ProposeOutcome {
    return this.core.propose(data);
  }

  proposeConfChange(change: ConfChange): ProposeOutcome {
    return this.core.proposeConfChange(change);
  }

  readIndex(context: Uint8Array): void {
    this.observer.readRequested(context);
    this.core.readIndex(context);
  }

  transferLeadership(to: NodeId): void {
    this.core.transferLeadership(to);
  }

  campaign(): void {
    this.core.campaign();
  }

  bootstrap(snapshot: Snapshot): void {
    this.core.bootstrap(snapshot);
  }

  reportUnreachable(peer: NodeId): void {
    this.core.reportUnreachable(peer);
  }

  hasReady(): boolean {
    return this.core.hasReady();
  }

  ready(): Ready {
    const ready = this.core.ready();
    this.observer.ready(ready, this.core);
    return ready;
  }

  advance(ready: Ready): void {
    this.core.advance(ready);
  }

  persisted(seq: number): void {
    this.core.persisted(seq);
  }

  compact(snapshot: Snapshot, keepEntries?: number): void {
    this.core.compact(snapshot, keepEntries);
    this.observer.compacted(snapshot, keepEntries ?? 0);
  }

  appliedTo(index: number): void {
    this.core.appliedTo(index);
    this.observer.applied(index, this.core);
  }

  status(): RaftStatus {
    return this.core.status();
  }
}
