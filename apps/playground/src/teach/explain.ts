/**
 * Which rule acted, in the words of the Raft paper (§5–§8) and of Ongaro's thesis (PreVote
 * §9.6, disruptive servers §4.2.3, leadership transfer §3.10, reads §6.4). Pure functions of a
 * message and of the receiver as it was just before the message arrived; they follow the
 * core's own rules (packages/core/src/raft/raft.ts, follower.ts), so a test can hold each text
 * against what the core then did.
 */
import type { Message, NodeId, Role } from '@webraft/core';

/** A node as it was just before an input reached it. */
export interface CoreState {
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly commit: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** Ticks since the election timer last restarted (a leader: since its last quorum check). */
  readonly electionElapsed: number;
}

export interface RulesInUse {
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly electionTicks: number;
}

export interface Decision {
  /** `ignored`: no answer at all; `refused`: an answer that says no. */
  readonly outcome: 'granted' | 'refused' | 'ignored';
  readonly text: string;
}

export const name = (id: NodeId): string => id.toUpperCase();
const logEnd = (index: number, term: number) => `index ${index}, term ${term}`;

/** Whether `(index, term)` is at least as up to date as `(myIndex, myTerm)` (§5.4.1). */
export function atLeastAsRecent(index: number, term: number, myIndex: number, myTerm: number): boolean {
  return term > myTerm || (term === myTerm && index >= myIndex);
}

/** What a server does with a RequestVote or pre-vote request, and why (raft.ts `stepValidated`, `handleVote`). */
export function decideVote(self: NodeId, b: CoreState, m: Extract<Message, { type: 'vote' }>, rules: RulesInUse): Decision {
  const me = name(self);
  const what = m.pre ? 'pre-vote' : 'vote';
  if (m.term < b.term) {
    const text = `${what} refused: ${me} is already in term ${b.term}, newer than the term ${m.term} ${name(m.from)} asks for (§5.1)`;
    return { outcome: m.pre ? 'refused' : 'ignored', text };
  }
  const inLease = rules.checkQuorum && b.lead !== '' && b.electionElapsed < rules.electionTicks;
  if (m.term > b.term && inLease && !m.transfer) {
    const text =
      b.lead === self
        ? `${what} ignored: ${me} leads term ${b.term} and heard from a majority within the election timeout (CheckQuorum, thesis §4.2.3${m.pre ? ', §9.6' : ''})`
        : `${what} ignored: ${me} heard from leader ${name(b.lead)} within the election timeout (thesis ${m.pre ? '§9.6' : '§4.2.3'})`;
    return { outcome: 'ignored', text };
  }
  // A real vote of a newer term first moves the voter to that term, forgetting its vote and leader.
  const moves = !m.pre && m.term > b.term;
  const vote = moves ? '' : b.vote;
  const lead = moves ? '' : b.lead;
  const canVote = vote === m.from || (vote === '' && lead === '') || (m.pre && m.term > b.term);
  const theirs = logEnd(m.lastLogIndex, m.lastLogTerm);
  const mine = logEnd(b.lastIndex, b.lastTerm);
  if (!atLeastAsRecent(m.lastLogIndex, m.lastLogTerm, b.lastIndex, b.lastTerm)) {
    return { outcome: 'refused', text: `${what} refused: ${me}'s log is more up to date (ends at ${mine}) than ${name(m.from)}'s (ends at ${theirs}) (§5.4.1)` };
  }
  if (!canVote) {
    const text =
      vote !== ''
        ? `${what} refused: ${me} already voted for ${name(vote)} in term ${b.term}, and a server votes once per term (§5.2)`
        : `${what} refused: ${me} follows leader ${name(lead)} in term ${b.term} (§5.2)`;
    return { outcome: 'refused', text };
  }
  if (m.pre) {
    return { outcome: 'granted', text: `pre-vote granted: ${me} has no leader it heard from recently and ${name(m.from)}'s log (ends at ${theirs}) is at least as up to date as its own (thesis §9.6, §5.4.1)` };
  }
  return { outcome: 'granted', text: `vote granted: ${me} had not voted for anyone else in term ${m.term} and ${name(m.from)}'s log (ends at ${theirs}) is at least as up to date as its own (§5.2, §5.4.1)` };
}

/** Why an AppendEntries answer says what it says; `request` is the AppendEntries it answers. */
export function explainAppendAnswer(
  self: NodeId,
  b: CoreState,
  answer: Extract<Message, { type: 'appResp' }>,
  request: Extract<Message, { type: 'app' | 'heartbeat' }> | undefined,
  termAt: (index: number) => number | undefined,
): Decision {
  const me = name(self);
  if (request !== undefined && request.term < answer.term) {
    return { outcome: 'refused', text: `AppendEntries refused: ${me} is in term ${answer.term}, newer than the sender's term ${request.term}, so the stale leader learns it must step down (§5.1)` };
  }
  if (answer.reject) {
    const p = answer.index;
    const wanted = request?.type === 'app' ? request.prevLogTerm : undefined;
    const has = termAt(p);
    const missing = b.lastIndex < p || has === undefined ? `${me}'s log ends at index ${b.lastIndex}` : `${me}'s entry at index ${p} has term ${has}`;
    const hint = answer.hintIndex > 0 ? `; its hint (index ${answer.hintIndex}, term ${answer.hintTerm}) lets the leader skip a whole conflicting term at once` : '';
    return { outcome: 'refused', text: `AppendEntries refused: no entry at index ${p} with term ${wanted ?? '?'} (${missing}) (§5.3)${hint}` };
  }
  const n = request?.type === 'app' ? request.entries.length : 0;
  const stored = n > 0 ? `stored ${n === 1 ? 'the entry' : `${n} entries`} and ` : '';
  return { outcome: 'granted', text: `AppendEntries accepted: ${me} ${stored}its log matches the leader's through index ${answer.index} (§5.3, Log Matching)` };
}

/** Why a message was sent, for a request; answers get theirs from the decision that made them. */
export function explainRequest(m: Message): string {
  const from = name(m.from);
  const to = name(m.to);
  switch (m.type) {
    case 'vote':
      if (m.pre) {
        return `Pre-vote (thesis §9.6): ${from} would campaign for term ${m.term} and first asks ${to} whether it would vote for it, without raising its own term. Its log ends at ${logEnd(m.lastLogIndex, m.lastLogTerm)}.`;
      }
      return `RequestVote (§5.2): candidate ${from} asks ${to} for its vote in term ${m.term}. Its log ends at ${logEnd(m.lastLogIndex, m.lastLogTerm)}; a voter refuses a candidate whose log is less up to date than its own (§5.4.1).${m.transfer ? ' Sent on a leadership transfer, so the voter disregards the leader it heard from (thesis §3.10).' : ''}`;
    case 'app': {
      const range = m.entries.length === 0 ? 'no entries (a probe for where the logs agree)' : m.entries.length === 1 ? `entry ${m.entries[0]!.index}` : `entries ${m.entries[0]!.index}–${m.entries[m.entries.length - 1]!.index}`;
      return `AppendEntries (§5.3): leader ${from} of term ${m.term} sends ${to} ${range}. ${to} accepts only if its log holds an entry at index ${m.prevLogIndex} with term ${m.prevLogTerm} (the consistency check); the leader's commit index is ${m.commit}.`;
    }
    case 'heartbeat':
      return `Heartbeat (§5.2): leader ${from} asserts its leadership of term ${m.term}, which restarts ${to}'s election timer, and tells it the commit index ${m.commit} (§5.3).${m.context.length > 0 ? ' It also checks that a majority still follows it, for a linearizable read (ReadIndex, thesis §6.4).' : ''}`;
    case 'heartbeatResp':
      return `${from} acknowledges ${to}'s heartbeat of term ${m.term}: ${to} still has its follower (§5.2).${m.context.length > 0 ? ' The acknowledgement counts toward a ReadIndex round (thesis §6.4).' : ''}`;
    case 'snap':
      return `InstallSnapshot (§7): ${to} needs entries that leader ${from} has already compacted, so it sends its snapshot (up to ${logEnd(m.meta.index, m.meta.term)}) instead.`;
    case 'snapResp':
      return m.reject ? `${from} asks ${to} to start the snapshot again (§7).` : `${from} has the snapshot up to index ${m.index} (§7).`;
    case 'timeoutNow':
      return `TimeoutNow (thesis §3.10): leader ${from} hands leadership to ${to}, whose log is up to date: ${to} starts an election at once, without pre-vote.`;
    case 'prop':
      return `A client sent its command to ${from}, which is not the leader: it forwards the command to leader ${to} (§8).`;
    case 'readIndex':
      return `A linearizable read reached follower ${from}: it asks leader ${to} for a read index (ReadIndex, thesis §6.4).`;
    case 'readIndexResp':
      return m.reject
        ? `Leader ${from} cannot serve reads yet: it has not committed an entry of its own term (thesis §6.4).`
        : `Leader ${from} confirmed it still leads: ${to} may answer the read once it has applied index ${m.index} (thesis §6.4).`;
    case 'transferLeader':
      return `${from} asks leader ${to} to hand leadership to ${name(m.target)} (thesis §3.10).`;
    case 'voteResp':
      return `${from} answers ${to}'s ${m.pre ? 'pre-vote' : 'vote request'}: ${m.reject ? 'refused' : 'granted'} (§5.2).`;
    case 'appResp':
      return `${from} answers ${to}'s AppendEntries: ${m.reject ? `no match at index ${m.index}` : `its log matches through index ${m.index}`} (§5.3).`;
    case 'member':
    case 'memberResp':
      return `${from} asks about membership of ${name(m.subject)} (thesis §4).`;
    case 'found':
      return `Founding the cluster: ${from} asks fellow founder ${to} whether it already holds a configuration. An empty log alone cannot tell a new cluster from a disk that lost its state, so a founder writes the first configuration only once every founder has answered that it has none (webraft's founding check, before any election: thesis §4 leaves how a cluster starts open).`;
    case 'foundResp':
      return m.conf.conf.voters.length === 0
        ? `${from} answers ${to}: it holds no configuration yet, so the cluster is new. Once every founder has said so, each one writes the same first configuration and starts its election timer.`
        : `${from} answers ${to} with the configuration it holds (voters ${m.conf.conf.voters.map(name).join(' ')}): the cluster was founded already.`;
    default:
      // A message type newer than these texts: say what it is rather than nothing.
      return `A ${(m as Message).type} message from ${from} to ${to}.`;
  }
}
