/**
 * The "why" of each line of the event log: a role, term, vote, commit or configuration change
 * explained by what caused it (a message, the election timer, a learner's action), and each
 * learner action by the rule it sets going.
 */
import type { NodeId } from '@webraft/core';
import { name, type RulesInUse } from './explain.ts';
import type { Action } from './model/actions.ts';
import type { Cause } from './observed-core.ts';

export interface SeenState {
  readonly role: string;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface ChangeContext {
  readonly rules: RulesInUse;
  readonly tickMs: number;
  /** The cause recorded in this very step, if any. */
  readonly cause: Cause | undefined;
  /** Voters that granted the node's vote requests in its current term. */
  readonly granted: readonly NodeId[];
  readonly quorum: number;
}

function fromMessage(cause: Cause | undefined): string {
  if (cause?.kind !== 'message') return '';
  const m = cause.message;
  const kind = m.type === 'app' ? 'AppendEntries' : m.type === 'heartbeat' ? 'heartbeat' : m.type === 'vote' ? (m.pre ? 'pre-vote request' : 'RequestVote') : m.type;
  return `${kind} from ${name(m.from)}`;
}

export function explainBecame(id: NodeId, before: SeenState, next: SeenState, c: ChangeContext): string {
  const me = name(id);
  const cause = c.cause;
  const timedOut =
    cause?.kind === 'timer'
      ? `${me}'s election timer ran out: it heard from no leader for ${Math.round(cause.elapsed * c.tickMs)} ms, its randomized election timeout (§5.2)`
      : cause?.kind === 'campaign'
        ? `You told ${me} to time out now, as if its election timer had run out`
        : `${me} started an election`;
  switch (next.role) {
    case 'preCandidate':
      return `${timedOut}. With PreVote it first asks the others whether they would vote for it, without raising its term, so a server that cannot win never disturbs the cluster (thesis §9.6). The others grant it only if they have not heard from a leader within the election timeout.`;
    case 'candidate':
      if (cause?.kind === 'message' && cause.message.type === 'timeoutNow') {
        return `Leader ${name(cause.message.from)} handed leadership over with TimeoutNow: ${me} moves to term ${next.term}, votes for itself and asks for votes at once, skipping pre-vote (thesis §3.10).`;
      }
      if (before.role === 'preCandidate') {
        return `A majority granted ${me}'s pre-vote, so it starts the real election: it moves to term ${next.term}, votes for itself and sends RequestVote to every server (§5.2, thesis §9.6).`;
      }
      return `${timedOut}. It moves to term ${next.term}, votes for itself and sends RequestVote to every server (§5.2).${c.rules.preVote ? '' : ' Classic Raft: no pre-vote, so its term rises even when it cannot win.'}`;
    case 'leader': {
      const others = c.granted.filter((v) => v !== id).map(name);
      const votes = others.length > 0 ? ` (its own and ${others.join(', ')})` : '';
      return `${me} received votes from a majority, ${c.quorum} or more${votes}, in term ${next.term}, so it becomes leader (§5.2). It appends an empty entry of its term, which lets it commit earlier entries too (§5.4.2, §8).`;
    }
    case 'follower': {
      if (cause?.kind === 'timer' && before.role === 'leader') {
        return `CheckQuorum: leader ${me} did not hear from a majority within an election timeout, so it steps down rather than go on leading a minority (thesis §6.2).`;
      }
      if (cause?.kind === 'message' && next.term > before.term) {
        return `${me} saw term ${next.term} in a ${fromMessage(cause)}, newer than its own term ${before.term}: it adopts the term and becomes a follower (§5.1).`;
      }
      if (cause?.kind === 'message' && (cause.message.type === 'app' || cause.message.type === 'heartbeat' || cause.message.type === 'snap')) {
        return `${me} heard from ${name(cause.message.from)}, leader of term ${next.term}, so it gives up its ${before.role === 'preCandidate' ? 'pre-vote' : 'election'} and follows it (§5.2).${before.role === 'preCandidate' ? ' Its pre-vote raised no term, so the leader was never disturbed (thesis §9.6).' : ''}`;
      }
      if (cause?.kind === 'message' && cause.message.type === 'voteResp') {
        return `A majority refused ${me}'s ${before.role === 'preCandidate' ? 'pre-vote' : 'vote requests'}, so it goes back to being a follower in term ${next.term} (§5.2${before.role === 'preCandidate' ? ', thesis §9.6' : ''}).`;
      }
      return `${me} became a follower in term ${next.term} (§5.2).`;
    }
    default:
      return `${me} is now ${next.role}.`;
  }
}

export function explainTerm(id: NodeId, before: SeenState, next: SeenState, c: ChangeContext): string {
  if (c.cause?.kind === 'timer') {
    return `${name(id)}'s election timer ran out again before any candidate won: it starts a new election in term ${next.term} with a new random timeout (§5.2).${c.rules.preVote ? '' : ' Without PreVote a server that cannot win raises its term at every timeout.'}`;
  }
  if (c.cause?.kind === 'message') {
    return `${name(id)} saw term ${next.term} in a ${fromMessage(c.cause)}, newer than its term ${before.term}: a server always adopts the newest term it sees (§5.1).${c.rules.preVote ? '' : ' Without PreVote a server cut off from the cluster keeps raising its term, and on its return that term forces the leader to step down.'}`;
  }
  return `${name(id)} moved to term ${next.term} (§5.1).`;
}

export function explainVote(id: NodeId, next: SeenState, c: ChangeContext): string {
  if (c.cause?.kind === 'message' && c.cause.decision !== undefined) return c.cause.decision.text;
  return `${name(id)} voted for ${name(next.vote)} in term ${next.term} (§5.2).`;
}

export function explainCommit(id: NodeId, next: SeenState, c: ChangeContext): string {
  return `Entry ${next.commit} is stored on a majority (${c.quorum} or more servers, per the leader's matchIndex) and is of the leader's current term ${next.term}, so ${name(id)} commits it and every entry before it (§5.3, §5.4.2).`;
}

export function explainVoters(id: NodeId, voters: string): string {
  return `A configuration entry reached ${name(id)}'s log: a server uses the newest configuration in its log, committed or not, so it now counts votes and replication among ${voters.toUpperCase()} (thesis §4.1).`;
}

export function explainAnswered(id: NodeId, index: number): string {
  return `${name(id)} applied the committed entry at index ${index} to its state machine; a server answers the client only once the command is applied (§8).`;
}

export function explainAction(action: Action): string {
  switch (action.kind) {
    case 'crash': return 'A crash loses everything in memory; the term, vote and log on disk survive (Figure 2: persistent state).';
    case 'restart': return 'The server reloads its term, vote and log from disk and starts as a follower (§5.2).';
    case 'timeout': return 'campaign(): the server acts as if its election timer had run out (§5.2); with PreVote it first asks whether it could win (thesis §9.6).';
    case 'request': return 'A client command goes to this server; a follower forwards it to the leader, which appends it to its log and replicates it (§5.3, §8).';
    case 'read': return 'A linearizable read: the leader confirms with a heartbeat round that it still leads, then answers at its commit index (ReadIndex, thesis §6.4).';
    case 'snapshot': return 'The server writes its state machine to a snapshot and discards the log entries it covers (§7).';
    case 'transfer': return 'The leader brings the target up to date, then sends it TimeoutNow so it campaigns at once (thesis §3.10).';
    case 'addNode':
    case 'removeNode': return 'The leader appends a configuration entry; each server uses it as soon as it is in its log (thesis §4.1).';
    case 'cut':
    case 'heal': return 'Raft assumes messages may be lost, delayed or reordered; it stays safe whatever the network does (§5.1).';
    case 'drop': return 'A lost message: the sender retries on its own (heartbeats, AppendEntries retries, new elections).';
    case 'partition': return 'Only the side with a majority can elect a leader and commit (§5.2, §5.3).';
    case 'healAll': return 'Every link is back; a server with a stale term learns the newer one from the first message it receives (§5.1).';
  }
}
