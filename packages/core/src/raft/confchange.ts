/**
 * Membership changes (thesis §4, etcd's ConfChangeV2): a change that alters at most one voter
 * is applied directly; anything else enters a joint configuration C_old,new, which is left by
 * an empty change (automatically when `autoLeave`). Pure: returns the new ConfState or the
 * reason the change is invalid.
 */
import type { ConfChange, ConfChangeSingle, ConfState, NodeId } from './types.ts';

export const emptyConfState: ConfState = Object.freeze({
  voters: [],
  learners: [],
  votersOutgoing: [],
  learnersNext: [],
  autoLeave: false,
});

export type ConfChangeResult =
  | { readonly ok: true; readonly conf: ConfState }
  | { readonly ok: false; readonly error: string };

export function isJoint(conf: ConfState): boolean {
  return conf.votersOutgoing.length > 0;
}

/** Every node that takes part in replication: voters (both halves), learners, learnersNext. */
export function members(conf: ConfState): NodeId[] {
  return [
    ...new Set([...conf.voters, ...conf.votersOutgoing, ...conf.learners, ...conf.learnersNext]),
  ].sort();
}

export function isVoter(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id) || conf.votersOutgoing.includes(id);
}

/** Whether `change` goes through a joint configuration. */
export function entersJoint(change: ConfChange): boolean {
  return change.transition === 'explicit' || change.changes.length > 1;
}

export function applyConfChange(conf: ConfState, change: ConfChange): ConfChangeResult {
  if (change.changes.length === 0) return leaveJoint(conf);
  if (isJoint(conf)) return { ok: false, error: 'configuration is joint; leave it first' };
  const joint = entersJoint(change);
  const voters = new Set(conf.voters);
  const learners = new Set(conf.learners);
  const learnersNext = new Set<NodeId>();
  const outgoing = joint ? new Set(conf.voters) : new Set<NodeId>();
  for (const single of change.changes) {
    const error = applySingle(single, voters, learners, learnersNext, outgoing);
    if (error !== undefined) return { ok: false, error };
  }
  if (voters.size === 0) return { ok: false, error: 'removes all voters' };
  if (!joint) {
    let changed = 0;
    for (const id of voters) if (!conf.voters.includes(id)) changed++;
    for (const id of conf.voters) if (!voters.has(id)) changed++;
    if (changed > 1) return { ok: false, error: 'more than one voter changed without a joint configuration' };
  }
  return {
    ok: true,
    conf: {
      voters: [...voters].sort(),
      learners: [...learners].sort(),
      votersOutgoing: [...outgoing].sort(),
      learnersNext: [...learnersNext].sort(),
      autoLeave: joint && change.transition === 'auto',
    },
  };
}

function applySingle(
  single: ConfChangeSingle,
  voters: Set<NodeId>,
  learners: Set<NodeId>,
  learnersNext: Set<NodeId>,
  outgoing: Set<NodeId>,
): string | undefined {
  if (typeof single.id !== 'string' || single.id === '') return 'empty node id';
  switch (single.type) {
    case 'addVoter':
      learners.delete(single.id);
      learnersNext.delete(single.id);
      voters.add(single.id);
      return undefined;
    case 'addLearner':
      voters.delete(single.id);
      learnersNext.delete(single.id);
      learners.delete(single.id);
      // A voter of C_old stays a voter until the joint configuration is left.
      if (outgoing.has(single.id)) learnersNext.add(single.id);
      else learners.add(single.id);
      return undefined;
    case 'remove':
      voters.delete(single.id);
      learners.delete(single.id);
      learnersNext.delete(single.id);
      return undefined;
    default:
      return `unknown change type ${String((single as { type: unknown }).type)}`;
  }
}

function leaveJoint(conf: ConfState): ConfChangeResult {
  if (!isJoint(conf)) return { ok: false, error: 'configuration is not joint' };
  return {
    ok: true,
    conf: {
      voters: [...conf.voters],
      learners: [...new Set([...conf.learners, ...conf.learnersNext])].sort(),
      votersOutgoing: [],
      learnersNext: [],
      autoLeave: false,
    },
  };
}

export function confStatesEqual(a: ConfState, b: ConfState): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]): boolean =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    same(a.voters, b.voters) &&
    same(a.learners, b.learners) &&
    same(a.votersOutgoing, b.votersOutgoing) &&
    same(a.learnersNext, b.learnersNext) &&
    a.autoLeave === b.autoLeave
  );
}
