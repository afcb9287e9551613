/**
 * The leader's read lease (thesis §6.4.1): which acknowledgements extend it, measured in the
 * leader's own ticks from when the acknowledged message was sent.
 */
import type { Message } from './types.ts';
import type { Raft } from './raft.ts';

/**
 * Thesis §6.4.1: the leader may answer reads alone while no other leader can exist. A voter
 * that answered a message we sent at leader tick t heard from us no earlier than t, and
 * ignores vote requests until it has counted an election timeout of its own ticks without
 * us; so a quorum that answered messages sent within the last electionTicks − 1 ticks (one
 * tick of margin for unaligned tick phases) holds the lease, however late the answers came.
 * Assumes tick rates that differ by less than that margin.
 */
export function leaseValid(r: Raft): boolean {
  if (r.role !== 'leader' || !r.cfg.checkQuorum || r.leaseVoid) return false;
  const span = r.cfg.electionTicks - 1;
  return r.trk.quorumOf(
    new Set([...r.trk.progress].filter(([id, pr]) => id === r.id || r.leaderTicks - pr.lastAckTick < span).map(([id]) => id)),
  );
}

/** Leader: entries from `first` on were appended at the current leader tick. */
export function recordAppendTick(r: Raft, first: number): void {
  const runs = r.appendTicks;
  if (runs[runs.length - 1]?.tick === r.leaderTicks) return;
  const expired = r.leaderTicks - (r.cfg.electionTicks - 1);
  while (runs.length > 0 && runs[0]!.tick <= expired) runs.shift();
  runs.push({ index: first, tick: r.leaderTicks });
}

/**
 * Thesis §6.4.1: a lease runs from when the acknowledged message was sent, not from when
 * its acknowledgement arrived (which may have been delayed). Returns the earliest tick the
 * message an acknowledgement answers can have left this leader, or undefined if unknown.
 * An accepted `appResp` for index i, i of this term, answers a message sent after entry i
 * was appended (a follower learns of i, or of a commit index reaching it, only from this
 * leader in this term). A `heartbeatResp` echoing a pending ReadIndex context answers a
 * heartbeat sent after that round started. Other acknowledgements do not extend the lease.
 */
export function ackSentTick(r: Raft, m: Extract<Message, { type: 'appResp' | 'heartbeatResp' | 'snapResp' }>): number | undefined {
  if (m.type === 'heartbeatResp') return m.context.length > 0 ? r.readOnly.sentTick(m.context) : undefined;
  if (m.type !== 'appResp' || m.reject || m.index === 0 || r.log.term(m.index) !== r.term) return undefined;
  const runs = r.appendTicks;
  if (runs.length === 0 || m.index < runs[0]!.index) return undefined;
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runs[mid]!.index <= m.index) lo = mid;
    else hi = mid - 1;
  }
  return runs[lo]!.tick;
}
