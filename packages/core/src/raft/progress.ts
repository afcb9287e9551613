/**
 * The leader's view of one follower (§5.3 nextIndex/matchIndex), with etcd's three
 * replication states: `probe` (one `app` per heartbeat until the match point is found),
 * `replicate` (pipelined `app`s within the inflight window) and `snapshot` (sending a
 * snapshot; no `app` until it is acknowledged).
 */
import type { ProgressState } from './contract.ts';
import { Inflights } from './inflights.ts';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an `app` was sent and no answer or heartbeat response came back yet. */
  msgAppFlowPaused = false;
  /** Index of the snapshot being sent while in snapshot state. */
  pendingSnapshot = 0;
  /** Heard from within the current election timeout (CheckQuorum). */
  recentActive = false;
  /**
   * The follower's latest answer came from another store than the one the configuration binds
   * it to (AppendResponse.storeTag): it may have lost its state, so its match steers replication
   * but counts toward no quorum until it is readmitted.
   */
  uncounted = false;
  /** The leader's send tick of the latest message this follower is known to have answered (lease reads). */
  lastAckTick = -Infinity;
  learner = false;
  readonly inflights: Inflights;

  /** Snapshot transfer: next byte to send, bytes the receiver confirmed, whether the last chunk went out. */
  snapNext = 0;
  snapAcked = 0;
  snapDoneSent = false;
  /** The receiver confirmed new bytes since the last heartbeat response. */
  snapProgressed = false;
  /** The offset the chunks were last resent from (-1: none), so one loss causes one resend. */
  snapResentFrom = -1;

  constructor(next: number, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
    this.snapNext = 0;
    this.snapAcked = 0;
    this.snapDoneSent = false;
    this.snapProgressed = false;
    this.snapResentFrom = -1;
  }

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot's entries.
    const floor = this.state === 'snapshot' ? Math.max(this.match, this.pendingSnapshot) : this.match;
    this.resetState('probe');
    this.next = floor + 1;
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement up to `index`; false when it is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.msgAppFlowPaused = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the `app` whose previous index was `rejected`; `matchHint` is the highest
   * index that may match (from the follower's hint). False when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    if (rejected <= this.match) {
      // The follower refuses an entry it acknowledged: it lost its log (a wiped store came
      // back). Only its hint tells what it holds now; probing on from the old match point
      // would send it the same refused message forever.
      this.match = Math.min(this.match, matchHint);
    }
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** Bookkeeping after an `app` carrying entries up to `lastIndex` was sent. */
  sentEntries(count: number, lastIndex: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      this.msgAppFlowPaused = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.msgAppFlowPaused;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
