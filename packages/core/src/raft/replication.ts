/**
 * What a leader sends: `app` (§5.3), heartbeats, snapshot chunks, `timeoutNow`, and answers
 * to ReadIndex requests. Each send respects the follower's progress state.
 */
import type { NodeId } from './types.ts';
import type { Progress } from './progress.ts';
import type { Raft } from './raft.ts';
import { contextKey, type ReadRequest } from './read-only.ts';
import { entryBytes } from './log.ts';
import { leaseValid } from './lease.ts';

/** How many snapshot chunks may be unacknowledged at once. */
const snapshotWindowChunks = 4;

export function bcastAppend(r: Raft): void {
  for (const id of r.trk.progress.keys()) if (id !== r.id) sendAppend(r, id, true);
}

/**
 * Leader: send each follower the entries proposed since the last call, in as few `app`
 * messages as `maxSizePerMsg` allows, as far as its progress state and inflight window let.
 */
export function flushAppends(r: Raft): void {
  if (!r.appendPending) return;
  r.appendPending = false;
  if (r.role !== 'leader') return;
  for (const [id, pr] of r.trk.progress) {
    if (id === r.id) continue;
    // Each send moves `next` on (replicate) or pauses the follower (probe, snapshot).
    for (let next = pr.next; sendAppend(r, id, false) && pr.next !== next; ) next = pr.next;
  }
}

/**
 * Send the entries `to` is missing (or an empty `app` carrying the commit index when
 * `sendIfEmpty`), or the snapshot if they were compacted away. False if nothing was sent.
 */
export function sendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.trk.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevLogIndex = pr.next - 1;
  const prevLogTerm = r.log.term(prevLogIndex);
  if (prevLogTerm === undefined) return sendSnapshot(r, to, pr);
  const entries = r.log.slice(pr.next, r.log.lastIndex() + 1, r.cfg.maxSizePerMsg);
  if (entries.length === 0 && !sendIfEmpty) return false;
  let bytes = 0;
  for (const e of entries) bytes += entryBytes(e);
  r.send({ type: 'app', from: r.id, to, term: r.term, prevLogIndex, prevLogTerm, entries, commit: r.log.committed });
  pr.sentEntries(entries.length, prevLogIndex + entries.length, bytes);
  return true;
}

function sendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  const snapshot = r.log.snapshot;
  if (snapshot === undefined) return false;
  pr.becomeSnapshot(snapshot.meta.index);
  sendSnapshotChunks(r, to, pr);
  return true;
}

/** Send chunks of the pending snapshot while the window allows. */
export function sendSnapshotChunks(r: Raft, to: NodeId, pr: Progress): void {
  const snapshot = r.log.snapshot;
  if (snapshot === undefined) {
    pr.becomeProbe();
    return;
  }
  // A newer snapshot replaced the one being sent: start over with it.
  if (snapshot.meta.index !== pr.pendingSnapshot) pr.becomeSnapshot(snapshot.meta.index);
  const chunk = r.cfg.snapshotChunkBytes;
  const total = snapshot.data.byteLength;
  while (!pr.snapDoneSent && pr.snapNext - pr.snapAcked < snapshotWindowChunks * chunk) {
    const offset = pr.snapNext;
    const length = Math.min(chunk, total - offset);
    const done = offset + length >= total;
    r.send({
      type: 'snap',
      from: r.id,
      to,
      term: r.term,
      meta: snapshot.meta,
      offset,
      // A copy, so a structured clone does not carry the whole snapshot with every chunk.
      data: snapshot.data.slice(offset, offset + length),
      done,
      totalBytes: total,
    });
    pr.snapNext = offset + length;
    if (done) pr.snapDoneSent = true;
  }
}

/** Resend a snapshot from the receiver's confirmed offset (a chunk was lost). */
export function rewindSnapshot(r: Raft, to: NodeId, pr: Progress): void {
  pr.snapNext = pr.snapAcked;
  pr.snapResentFrom = pr.snapAcked;
  pr.snapDoneSent = false;
  sendSnapshotChunks(r, to, pr);
}

export function bcastHeartbeat(r: Raft): void {
  const context = r.readOnly.lastPendingContext() ?? new Uint8Array(0);
  bcastHeartbeatWithContext(r, context);
}

function bcastHeartbeatWithContext(r: Raft, context: Uint8Array): void {
  for (const [id, pr] of r.trk.progress) {
    if (id === r.id) continue;
    // A follower may not have the leader's commit index in its log yet (§5.3).
    const commit = Math.min(pr.match, r.log.committed);
    r.send({ type: 'heartbeat', from: r.id, to: id, term: r.term, commit, context });
  }
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.leaseVoid = true;
  r.send({ type: 'timeoutNow', from: r.id, to, term: r.term });
  // A removed leader's hand-over is complete: `to` holds its whole log (thesis §4.2.2).
  if (!r.trk.isVoter(r.id)) r.becomeFollower(r.term, '');
}

export function respondRead(r: Raft, request: Pick<ReadRequest, 'from' | 'context' | 'index'>): void {
  if (request.from === r.id) {
    r.readStates.push({ index: request.index, context: request.context });
  } else {
    r.send({
      type: 'readIndexResp',
      from: r.id,
      to: request.from,
      term: r.term,
      index: request.index,
      context: request.context,
      reject: false,
    });
  }
}

/** Whether this leader committed an entry of its own term (required before serving reads). */
export function committedInTerm(r: Raft): boolean {
  return r.log.term(r.log.committed) === r.term;
}

/** Leader: serve a ReadIndex request from `from` (this node or a follower), thesis §6.4. */
export function leaderReadIndex(r: Raft, from: NodeId, context: Uint8Array): void {
  // Until an entry of its term commits, a new leader's commit index may lag the true one
  // (thesis §6.4) — even alone: the commit index restored after a crash may be behind.
  if (!committedInTerm(r)) {
    r.pendingReads.push({ from, context });
    return;
  }
  const voters = r.trk.voterIds();
  if (voters.length === 1 && voters[0] === r.id) {
    respondRead(r, { from, context, index: r.log.committed });
    return;
  }
  if (r.cfg.readOnly === 'lease' && leaseValid(r)) {
    respondRead(r, { from, context, index: r.log.committed });
    return;
  }
  if (!r.readOnly.add(r.log.committed, from, context, r.leaderTicks)) return;
  r.readOnly.recvAck(r.id, context);
  bcastHeartbeatWithContext(r, context);
}

/** Whether a read with `context` waits for its round or for the leader's first commit. */
export function readPending(r: Raft, context: Uint8Array): boolean {
  if (r.readOnly.has(context)) return true;
  const key = contextKey(context);
  return r.pendingReads.some((read) => contextKey(read.context) === key);
}

export function releasePendingReads(r: Raft): void {
  if (r.pendingReads.length === 0 || !committedInTerm(r)) return;
  const reads = r.pendingReads;
  r.pendingReads = [];
  for (const read of reads) leaderReadIndex(r, read.from, read.context);
}
