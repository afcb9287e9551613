/**
 * The wire layout of every message, one table row per message type. A message is encoded as
 * its type tag, then `from`, `to`, `term`, then the fields of its row in the row's order.
 * Adding a field is one line here (TypeScript refuses a row that misses a field) and a new
 * wire version, since old readers would not expect it.
 */
import type { Entry, Message, MessageType, SnapshotMeta } from '../raft/types.ts';

/** `optId`: an id that may be empty (e.g. "no leader known"). */
export type FieldKind = 'uint' | 'bool' | 'bytes' | 'id' | 'optId' | 'entries' | 'meta';

type KindOf<V> = V extends number
  ? 'uint'
  : V extends boolean
    ? 'bool'
    : V extends Uint8Array
      ? 'bytes'
      : V extends string
        ? 'id' | 'optId'
        : V extends readonly Entry[]
          ? 'entries'
          : V extends SnapshotMeta
            ? 'meta'
            : never;

type Body<M> = Omit<M, 'type' | 'from' | 'to' | 'term'>;
type Row<M> = { readonly [K in keyof Body<M>]-?: KindOf<Body<M>[K]> };
type Schema = { readonly [T in MessageType]: Row<Extract<Message, { type: T }>> };

/** Field order on the wire is the key order of each row: never reorder a row. */
const schema: Schema = {
  vote: { pre: 'bool', lastLogIndex: 'uint', lastLogTerm: 'uint', transfer: 'bool' },
  voteResp: { pre: 'bool', reject: 'bool', storeTag: 'uint' },
  app: { prevLogIndex: 'uint', prevLogTerm: 'uint', commit: 'uint', entries: 'entries' },
  appResp: { index: 'uint', reject: 'bool', hintIndex: 'uint', hintTerm: 'uint', storeTag: 'uint' },
  heartbeat: { commit: 'uint', context: 'bytes' },
  heartbeatResp: { context: 'bytes', storeTag: 'uint' },
  snap: { meta: 'meta', offset: 'uint', totalBytes: 'uint', done: 'bool', data: 'bytes' },
  snapResp: { index: 'uint', offset: 'uint', reject: 'bool', done: 'bool' },
  timeoutNow: {},
  prop: { entries: 'entries' },
  readIndex: { context: 'bytes' },
  readIndexResp: { index: 'uint', reject: 'bool', context: 'bytes' },
  transferLeader: { target: 'id' },
  member: { subject: 'id', nonce: 'bytes', wish: 'id' },
  memberResp: { subject: 'id', nonce: 'bytes', status: 'id', leader: 'optId' },
  found: { store: 'id' },
  foundResp: { store: 'id', conf: 'meta' },
};

/** Type tags on the wire. Fixed numbers, independent of any list's order; 0 is never a tag. */
export const typeTags: { readonly [T in MessageType]: number } = {
  vote: 1,
  voteResp: 2,
  app: 3,
  appResp: 4,
  heartbeat: 5,
  heartbeatResp: 6,
  snap: 7,
  snapResp: 8,
  timeoutNow: 9,
  prop: 10,
  readIndex: 11,
  readIndexResp: 12,
  transferLeader: 13,
  member: 14,
  memberResp: 15,
  found: 16,
  foundResp: 17,
};

export interface Layout {
  readonly type: MessageType;
  readonly fields: readonly (readonly [name: string, kind: FieldKind])[];
}

/** Layouts indexed by tag, for the decoder. */
export const layoutsByTag: readonly (Layout | undefined)[] = (() => {
  const byTag: (Layout | undefined)[] = [];
  for (const type of Object.keys(typeTags) as MessageType[]) {
    byTag[typeTags[type]] = { type, fields: Object.entries(schema[type]) as [string, FieldKind][] };
  }
  return byTag;
})();

export function layoutOf(type: MessageType): Layout | undefined {
  return layoutsByTag[typeTags[type]];
}

export const entryTypeCodes = { normal: 0, noop: 1, config: 2 } as const;
export const entryTypesByCode = ['normal', 'noop', 'config'] as const;
