/**
 * Elections (§5.2): a follower's election timer, PreVote (thesis §9.6), campaigning and
 * answering vote requests. Term changes caused by vote messages are handled in `Raft.step`.
 */
import type { Message } from './types.ts';
import type { Raft } from './raft.ts';

/** Only a voter of the configuration in effect, admitted with its store, may campaign. */
function promotable(r: Raft): boolean {
  return r.trk.isVoter(r.id) && r.admitted();
}

/** A follower's or candidate's tick: campaign once the randomized election timeout passed. */
export function tickElection(r: Raft): void {
  r.electionElapsed++;
  if (promotable(r) && r.electionElapsed >= r.randomizedElectionTimeout) {
    r.electionElapsed = 0;
    hup(r, false);
  }
}

function hasUnappliedConfChanges(r: Raft): boolean {
  for (let i = r.log.applied + 1; i <= r.log.committed; i++) {
    if (r.log.entry(i)?.type === 'config') return true;
  }
  return false;
}

/** Start an election (a timeout, `campaign()`, or `timeoutNow` when `transfer`). */
export function hup(r: Raft, transfer: boolean): void {
  if (r.role === 'leader' || !promotable(r)) return;
  if (hasUnappliedConfChanges(r)) {
    // The configuration we are about to apply decides whom to ask; a leader that chose us
    // (often one that removed itself) expects us to campaign as soon as it is in effect.
    if (transfer) r.timeoutNowPending = true;
    return;
  }
  r.timeoutNowPending = false;
  campaign(r, r.cfg.preVote && !transfer, transfer);
}

export function campaign(r: Raft, pre: boolean, transfer: boolean): void {
  let voteTerm: number;
  if (pre) {
    r.becomePreCandidate();
    voteTerm = r.term + 1;
    r.trk.recordVote(r.id, true);
    if (r.trk.tallyVotes() === 'won') {
      campaign(r, false, transfer);
      return;
    }
  } else {
    r.becomeCandidate();
    voteTerm = r.term;
    // Our own vote counts only once it is durable, like any other vote.
    r.msgsAfterPersist.push({ type: 'voteResp', from: r.id, to: r.id, term: r.term, pre: false, reject: false, storeTag: r.storeTag });
  }
  for (const id of r.trk.voterIds()) {
    if (id === r.id) continue;
    r.send({
      type: 'vote',
      from: r.id,
      to: id,
      term: voteTerm,
      pre,
      lastLogIndex: r.log.lastIndex(),
      lastLogTerm: r.log.lastTerm(),
      transfer,
    });
  }
}

/** Answers a vote request whose term `Raft.step` has already dealt with. */
export function handleVote(r: Raft, m: Extract<Message, { type: 'vote' }>): void {
  // A node that lost its state may grant, but names its store: the candidate counts the
  // grant only if its configuration binds this node to that store (§5.4.1 assumes a voter
  // remembers what it acknowledged; a lagging voter's own configuration may be out of date).
  const canVote = r.vote === m.from || (r.vote === '' && r.lead === '') || (m.pre && m.term > r.term);
  const logOk = r.log.isAtLeastAsRecent(m.lastLogIndex, m.lastLogTerm);
  if (canVote && logOk) {
    r.send({ type: 'voteResp', from: r.id, to: m.from, term: m.term, pre: m.pre, reject: false, storeTag: r.storeTag });
    if (!m.pre) {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.send({ type: 'voteResp', from: r.id, to: m.from, term: r.term, pre: m.pre, reject: true, storeTag: r.storeTag });
  }
}
