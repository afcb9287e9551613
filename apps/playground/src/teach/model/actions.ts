/**
 * Learner actions. Each is a pure operation on the simulated world at a virtual time `t`, so
 * a run is fully described by its seed, its cluster size and its list of actions: that list
 * is what the URL carries and what a replay (or a scrub back) re-applies.
 */
import type { NodeId } from '@webraft/core';

export type Action =
  | { readonly t: number; readonly kind: 'crash' | 'restart' | 'timeout' | 'request' | 'snapshot' | 'read'; readonly node: NodeId }
  | { readonly t: number; readonly kind: 'transfer'; readonly node: NodeId }
  | { readonly t: number; readonly kind: 'cut' | 'heal'; readonly a: NodeId; readonly b: NodeId }
  | { readonly t: number; readonly kind: 'drop'; readonly msg: number }
  | { readonly t: number; readonly kind: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly t: number; readonly kind: 'healAll' }
  | { readonly t: number; readonly kind: 'addNode' | 'removeNode'; readonly node: NodeId };

export type ActionKind = Action['kind'];

const nodeKinds = new Set(['crash', 'restart', 'timeout', 'request', 'snapshot', 'read', 'transfer', 'addNode', 'removeNode']);

export class ActionParseError extends Error {
  override readonly name = 'ActionParseError';
  constructor(readonly input: string, reason: string) {
    super(`cannot read action "${input}": ${reason}`);
  }
}

const idPattern = /^[a-z0-9]{1,8}$/;

/** `1200.crash.s2`, `300.cut.s1.s2`, `800.drop.17`, `0.partition.s1+s2.s3+s4+s5`, `900.healAll`. */
export function encodeAction(action: Action): string {
  const head = `${Math.round(action.t)}.${action.kind}`;
  switch (action.kind) {
    case 'cut':
    case 'heal':
      return `${head}.${action.a}.${action.b}`;
    case 'drop':
      return `${head}.${action.msg}`;
    case 'partition':
      return `${head}.${action.groups.map((g) => g.join('+')).join('.')}`;
    case 'healAll':
      return head;
    default:
      return `${head}.${action.node}`;
  }
}

export function decodeAction(text: string): Action {
  const [time, kind, ...args] = text.split('.');
  const t = Number(time);
  if (!Number.isSafeInteger(t) || t < 0) throw new ActionParseError(text, 'time must be a whole number of ms');
  const ids = (values: readonly string[]): NodeId[] => {
    for (const v of values) if (!idPattern.test(v)) throw new ActionParseError(text, `bad node id "${v}"`);
    return [...values];
  };
  if (kind !== undefined && nodeKinds.has(kind)) {
    if (args.length !== 1) throw new ActionParseError(text, 'expects one node id');
    return { t, kind, node: ids(args)[0] } as Action;
  }
  switch (kind) {
    case 'cut':
    case 'heal': {
      if (args.length !== 2) throw new ActionParseError(text, 'expects two node ids');
      const [a, b] = ids(args) as [NodeId, NodeId];
      return { t, kind, a, b };
    }
    case 'drop': {
      const msg = Number(args[0]);
      if (args.length !== 1 || !Number.isSafeInteger(msg) || msg < 0) throw new ActionParseError(text, 'expects a message id');
      return { t, kind, msg };
    }
    case 'partition': {
      if (args.length < 2) throw new ActionParseError(text, 'expects at least two groups');
      return { t, kind, groups: args.map((g) => ids(g.split('+'))) };
    }
    case 'healAll':
      if (args.length !== 0) throw new ActionParseError(text, 'takes no arguments');
      return { t, kind };
    default:
      throw new ActionParseError(text, `unknown action "${kind ?? ''}"`);
  }
}

export function describeAction(action: Action): string {
  const name = (id: NodeId) => id.toUpperCase();
  switch (action.kind) {
    case 'crash': return `crash ${name(action.node)}`;
    case 'restart': return `restart ${name(action.node)}`;
    case 'timeout': return `${name(action.node)} times out now`;
    case 'request': return `client request to ${name(action.node)}`;
    case 'snapshot': return `${name(action.node)} takes a snapshot`;
    case 'read': return `linearizable read at ${name(action.node)}`;
    case 'transfer': return `transfer leadership to ${name(action.node)}`;
    case 'addNode': return `add ${name(action.node)} to the cluster`;
    case 'removeNode': return `remove ${name(action.node)} from the cluster`;
    case 'cut': return `cut link ${name(action.a)}–${name(action.b)}`;
    case 'heal': return `heal link ${name(action.a)}–${name(action.b)}`;
    case 'drop': return `drop message #${action.msg}`;
    case 'partition': return `partition ${action.groups.map((g) => g.map(name).join(' ')).join(' | ')}`;
    case 'healAll': return 'heal the network';
  }
}
