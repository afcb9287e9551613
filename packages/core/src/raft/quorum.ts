/**
 * Quorum math over voter sets (§5.2, §5.3) and joint configurations (thesis §4.3).
 * Pure functions: callers pass a lookup for acknowledged indexes or votes.
 */
import type { NodeId } from './types.ts';

export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * The largest index acknowledged by a majority of `voters`. An empty voter set places no
 * constraint (Infinity), so it drops out of the minimum taken for a joint configuration.
 */
export function majorityIndex(voters: readonly NodeId[], acked: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return Infinity;
  // An insertion sort (descending) into a reused array: voter sets are small, and this runs
  // on every acknowledgement a leader receives.
  const sorted = scratch;
  for (let i = 0; i < n; i++) {
    const value = acked(voters[i]!);
    let j = i;
    for (; j > 0 && sorted[j - 1]! < value; j--) sorted[j] = sorted[j - 1]!;
    sorted[j] = value;
  }
  // Sorted descending, the entry at position ⌊n/2⌋ is held by ⌊n/2⌋+1 voters: a majority.
  return sorted[n >> 1]!;
}

const scratch: number[] = [];

/** The committed index of a joint configuration: both majorities must hold it. */
export function jointIndex(
  incoming: readonly NodeId[],
  outgoing: readonly NodeId[],
  acked: (id: NodeId) => number,
): number {
  const index = Math.min(majorityIndex(incoming, acked), majorityIndex(outgoing, acked));
  return index === Infinity ? 0 : index;
}

/** Tally of yes/no/missing votes; an empty voter set wins (it does not constrain a joint vote). */
export function majorityVote(
  voters: readonly NodeId[],
  vote: (id: NodeId) => boolean | undefined,
): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = vote(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const quorum = Math.floor(voters.length / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}

/** A joint vote is won only when both majorities are won and lost when either is lost. */
export function jointVote(
  incoming: readonly NodeId[],
  outgoing: readonly NodeId[],
  vote: (id: NodeId) => boolean | undefined,
): VoteResult {
  const a = majorityVote(incoming, vote);
  const b = majorityVote(outgoing, vote);
  if (a === 'lost' || b === 'lost') return 'lost';
  if (a === 'won' && b === 'won') return 'won';
  return 'pending';
}
