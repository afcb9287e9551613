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

/** The store `id` is bound to in `conf`, if any (own properties only: ids are arbitrary strings). */
export function storeOf(conf: ConfState, id: NodeId): string | undefined {
  const stores = conf.stores;
  return stores !== undefined && Object.hasOwn(stores, id) ? stores[id] : undefined;
}

/**
 * A 53-bit digest of a store identity, never 0 (0 means none): what answers carry instead of
 * the identity itself, to keep the most frequent messages small.
 */
export function storeTag(store: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ store.length;
  for (let i = 0; i < store.length; i++) {
    const c = store.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  const tag = (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
  return tag === 0 ? 1 : tag;
}

/** A store identity as configurations and messages carry it. */
export function isStoreId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

/** Whether `change` goes through a joint configuration. */
function entersJoint(change: ConfChange): boolean {
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
  const stores = conf.stores === undefined ? undefined : new Map(Object.entries(conf.stores));
  for (const single of change.changes) {
    const error = applySingle(single, voters, learners, learnersNext, outgoing);
    if (error !== undefined) return { ok: false, error };
    if (single.store !== undefined) {
      if (!isStoreId(single.store)) return { ok: false, error: `bad store for ${single.id}` };
      // A configuration that binds nobody stays so: binding one member would silence the others.
      if (stores === undefined) return { ok: false, error: 'this configuration does not bind stores' };
      if (single.type === 'remove') return { ok: false, error: 'a removal takes no store' };
      stores.set(single.id, single.store);
    }
  }
  if (voters.size === 0) return { ok: false, error: 'removes all voters' };
  if (stores !== undefined) {
    // Where stores are bound, a vote counts only from a bound store: a voter without one would
    // raise the quorum and never help reach it.
    for (const id of [...voters, ...learnersNext]) {
      if (!stores.has(id)) return { ok: false, error: `${id} has no store bound: add it as a learner first, it can vote once it is bound` };
    }
  }
  if (!joint) {
    let changed = 0;
    for (const id of voters) if (!conf.voters.includes(id)) changed++;
    for (const id of conf.voters) if (!voters.has(id)) changed++;
    if (changed > 1) return { ok: false, error: 'more than one voter changed without a joint configuration' };
  }
  return {
    ok: true,
    conf: withStores(
      {
        voters: [...voters].sort(),
        learners: [...learners].sort(),
        votersOutgoing: [...outgoing].sort(),
        learnersNext: [...learnersNext].sort(),
        autoLeave: joint && change.transition === 'auto',
      },
      stores,
    ),
  };
}

/** `conf` with the bindings of its members only (a removed node's binding goes with it). */
function withStores(conf: ConfState, stores: ReadonlyMap<NodeId, string> | undefined): ConfState {
  if (stores === undefined) return conf;
  const bound = Object.create(null) as Record<NodeId, string>;
  for (const id of members(conf)) {
    const store = stores.get(id);
    if (store !== undefined) bound[id] = store;
  }
  return { ...conf, stores: bound };
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
    conf: withStores(
      {
        voters: [...conf.voters],
        learners: [...new Set([...conf.learners, ...conf.learnersNext])].sort(),
        votersOutgoing: [],
        learnersNext: [],
        autoLeave: false,
      },
      conf.stores === undefined ? undefined : new Map(Object.entries(conf.stores)),
    ),
  };
}
