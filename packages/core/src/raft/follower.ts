/**
 * Follower and candidate behaviour: accepting entries (§5.3), heartbeats, snapshot chunks,
 * counting votes (§5.2), and forwarding requests to the leader.
 */
import type { AppendMessage, HeartbeatMessage, Message, NodeId, Rejection, SnapshotMessage, SnapshotMeta } from './types.ts';
import type { Raft } from './raft.ts';
import { campaign, hup } from './election.ts';

/** A snapshot being received in chunks, kept in memory until its last chunk arrives. */
export interface IncomingSnapshot {
  /** The leader sending it and its term: chunks of another leader's image never complete this one. */
  readonly from: NodeId;
  readonly term: number;
  readonly meta: SnapshotMeta;
  readonly totalBytes: number;
  readonly chunks: Uint8Array[];
  received: number;
}

const noLeader = (what: string): Rejection => ({ reason: 'notLeader', detail: `no leader known to take the ${what}` });

/**
 * A forwarded proposal is taken only in the term it was forwarded in. A copy the network
 * delivers late, into a later term, could otherwise be appended a second time by a leader
 * that never saw the first (a leader filters duplicates only within its term).
 */
export function staleProposal(r: Raft, term: number): Rejection {
  return { reason: 'staleTerm', detail: `proposal forwarded in term ${term}, this node is in term ${r.term}` };
}

export function stepFollower(r: Raft, m: Message): Rejection | undefined {
  switch (m.type) {
    case 'prop':
      if (m.term !== r.term) return staleProposal(r, m.term);
      if (r.lead === '') return noLeader('proposal');
      if (r.cfg.proposalsWithoutLeader === 'reject') return { reason: 'notLeader', detail: `leader is ${r.lead}` };
      // The sender took us for the leader while we take it for the leader: do not bounce.
      if (r.lead === m.from) return { reason: 'notLeader', detail: `${m.from} is the leader this node follows` };
      r.send({ type: 'prop', from: r.id, to: r.lead, term: r.term, entries: m.entries });
      return undefined;
    case 'app':
    case 'heartbeat':
    case 'snap':
      if (r.lead !== '' && r.lead !== m.from) {
        return { reason: 'impossibleField', detail: `${m.from} claims to lead term ${m.term}, led by ${r.lead}` };
      }
      r.electionElapsed = 0;
      r.lead = m.from;
      return handleFromLeader(r, m);
    case 'transferLeader':
      if (r.lead === '') return noLeader('leadership transfer');
      if (r.lead === m.from) return { reason: 'notLeader', detail: `${m.from} is the leader this node follows` };
      r.send({ type: 'transferLeader', from: r.id, to: r.lead, term: r.term, target: m.target });
      return undefined;
    case 'timeoutNow':
      // Thesis §3.10: the leader chose us; campaign now, skipping PreVote and the lease.
      hup(r, true);
      return undefined;
    case 'readIndex':
      return { reason: 'notLeader', detail: r.lead === '' ? 'no leader known' : `leader is ${r.lead}` };
    case 'readIndexResp':
      if (!m.reject) r.readStates.push({ index: m.index, context: m.context });
      return undefined;
    default:
      return undefined;
  }
}

export function stepCandidate(r: Raft, m: Message): Rejection | undefined {
  switch (m.type) {
    case 'prop':
      return noLeader('proposal');
    case 'transferLeader':
      return noLeader('leadership transfer');
    case 'readIndex':
      return { reason: 'notLeader', detail: 'campaigning' };
    case 'app':
    case 'heartbeat':
    case 'snap':
      // §5.2: a leader of our term exists; accept it.
      r.becomeFollower(m.term, m.from);
      return handleFromLeader(r, m);
    case 'voteResp': {
      if (m.pre !== (r.role === 'preCandidate')) return undefined;
      // A grant counts only from the store the configuration binds the voter to (one that lost
      // its state may have voted in this term before).
      r.trk.recordVote(m.from, !m.reject && r.trk.counts(m.from, m.storeTag));
      const result = r.trk.tallyVotes();
      if (result === 'won') {
        if (r.role === 'preCandidate') campaign(r, false, false);
        // Lead only once our own vote is durable: a candidate that could forget its term might
        // be elected in it twice (the peers would grant the same candidate again).
        else if (r.trk.votes.get(r.id) === true) r.becomeLeader();
      } else if (result === 'lost') {
        r.becomeFollower(r.term, '');
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function handleFromLeader(r: Raft, m: AppendMessage | HeartbeatMessage | SnapshotMessage): Rejection | undefined {
  switch (m.type) {
    case 'app':
      return handleAppend(r, m);
    case 'heartbeat':
      // A heartbeat's commit index stands for the log the leader believes this node holds; a
      // node that lost its state holds another, so it commits only through `app` checks.
      if (r.admitted()) r.log.commitTo(m.commit);
      r.send({ type: 'heartbeatResp', from: r.id, to: m.from, term: r.term, context: m.context, storeTag: r.storeTag });
      return undefined;
    case 'snap':
      handleSnapshot(r, m);
      return undefined;
  }
}

function handleAppend(r: Raft, m: AppendMessage): Rejection | undefined {
  const reply = (index: number, reject: boolean, hintIndex: number, hintTerm: number): void =>
    r.send({ type: 'appResp', from: r.id, to: m.from, term: r.term, index, reject, hintIndex, hintTerm, storeTag: r.storeTag });
  if (m.prevLogIndex < r.log.committed) {
    reply(r.log.committed, false, 0, 0);
    return undefined;
  }
  const lastNew = r.log.maybeAppend(m.prevLogIndex, m.prevLogTerm, m.commit, m.entries);
  if (lastNew === 'conflictsCommitted') {
    return { reason: 'impossibleField', detail: 'entries conflict with a committed entry' };
  }
  if (lastNew !== undefined) {
    reply(lastNew, false, 0, 0);
    return undefined;
  }
  // Fast backtracking: point the leader at the last index whose term can still match.
  const hintIndex = r.log.findConflictByTerm(Math.min(m.prevLogIndex, r.log.lastIndex()), m.prevLogTerm);
  reply(m.prevLogIndex, true, hintIndex, r.log.term(hintIndex) ?? 0);
  return undefined;
}

function handleSnapshot(r: Raft, m: SnapshotMessage): void {
  const reply = (offset: number, reject: boolean, done: boolean): void =>
    r.send({ type: 'snapResp', from: r.id, to: m.from, term: r.term, index: m.meta.index, offset, reject, done });
  if (m.meta.index <= r.log.committed) {
    // Stale: we already have it. Tell the leader where our log is.
    r.incomingSnapshot = undefined;
    r.send({ type: 'appResp', from: r.id, to: m.from, term: r.term, index: r.log.committed, reject: false, hintIndex: 0, hintTerm: 0, storeTag: r.storeTag });
    return;
  }
  let incoming = r.incomingSnapshot;
  // Two leaders' images at one index and term need not be the same bytes (a state machine's
  // encoding may depend on its history), so a transfer resumes only with its own sender.
  const same =
    incoming !== undefined &&
    incoming.from === m.from &&
    incoming.term === m.term &&
    incoming.meta.index === m.meta.index &&
    incoming.meta.term === m.meta.term &&
    incoming.totalBytes === m.totalBytes;
  if (!same) {
    if (m.offset !== 0) {
      reply(0, true, false);
      return;
    }
    incoming = { from: m.from, term: m.term, meta: m.meta, totalBytes: m.totalBytes, chunks: [], received: 0 };
    r.incomingSnapshot = incoming;
  }
  if (incoming === undefined) return;
  if (m.offset !== incoming.received) {
    // A duplicate or a gap after a lost chunk: tell the leader where to resume.
    reply(incoming.received, false, false);
    return;
  }
  incoming.chunks.push(m.data);
  incoming.received += m.data.byteLength;
  if (!m.done) {
    reply(incoming.received, false, false);
    return;
  }
  r.incomingSnapshot = undefined;
  const data = new Uint8Array(incoming.totalBytes);
  let at = 0;
  for (const c of incoming.chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  // A configuration without us is adopted too: we were added after the snapshot was taken
  // (the entries that add us follow it) or removed (then we never campaign).
  r.restore({ meta: m.meta, data });
  // Restored, or the log already held the snapshot's last entry: either way the log now
  // matches the leader up to meta.index once the write is durable.
  reply(incoming.totalBytes, false, true);
}
