import fc from 'fast-check';
import { memberStatuses, memberWishes, type ConfState, type Entry, type Message, type SnapshotMeta } from '../../src/index.ts';

const encoder = new TextEncoder();

export const nodeId = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => encoder.encode(s).length <= 64);
const uint = fc.maxSafeNat();
const small = fc.nat({ max: 2 ** 40 });
const bytes = fc.uint8Array({ maxLength: 48 });
const nonce = fc.uint8Array({ minLength: 1, maxLength: 64 });
const entryType = fc.constantFrom<Entry['type']>('normal', 'noop', 'config');

const storeId = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 26 });
const confState: fc.Arbitrary<ConfState> = fc.record(
  {
    voters: fc.array(nodeId, { maxLength: 5 }),
    learners: fc.array(nodeId, { maxLength: 3 }),
    votersOutgoing: fc.array(nodeId, { maxLength: 5 }),
    learnersNext: fc.array(nodeId, { maxLength: 3 }),
    autoLeave: fc.boolean(),
    stores: fc.dictionary(nodeId, storeId, { maxKeys: 4 }),
  },
  { requiredKeys: ['voters', 'learners', 'votersOutgoing', 'learnersNext', 'autoLeave'] },
);
const meta: fc.Arbitrary<SnapshotMeta> = fc.record({ index: uint, term: uint, conf: confState });

function contiguousEntries(first: number): fc.Arbitrary<Entry[]> {
  return fc
    .array(fc.record({ term: uint, type: entryType, data: bytes }), { maxLength: 6 })
    .map((list) => list.map((e, i) => ({ term: e.term, index: first + i, type: e.type, data: e.data })));
}

const anyEntries: fc.Arbitrary<Entry[]> = fc.array(fc.record({ term: uint, index: uint, type: entryType, data: bytes }), {
  maxLength: 6,
});

const base = { from: nodeId, to: nodeId, term: uint };

/** Every well-formed message of every type (the rules checked by the codec hold by construction). */
export const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ ...base, type: fc.constant('vote' as const), pre: fc.boolean(), lastLogIndex: uint, lastLogTerm: uint, transfer: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('voteResp' as const), pre: fc.boolean(), reject: fc.boolean(), storeTag: uint }),
  fc
    .record({ ...base, prevLogIndex: small, prevLogTerm: uint, commit: uint })
    .chain((m) => contiguousEntries(m.prevLogIndex + 1).map((entries) => ({ ...m, type: 'app' as const, entries }))),
  fc.record({ ...base, type: fc.constant('appResp' as const), index: uint, reject: fc.boolean(), hintIndex: uint, hintTerm: uint, storeTag: uint }),
  fc.record({ ...base, type: fc.constant('heartbeat' as const), commit: uint, context: bytes }),
  fc.record({ ...base, type: fc.constant('heartbeatResp' as const), context: bytes, storeTag: uint }),
  fc
    .record({ ...base, meta, offset: small, data: bytes, done: fc.boolean(), extra: fc.nat({ max: 1000 }) })
    .map(({ extra, ...m }) => ({ ...m, type: 'snap' as const, totalBytes: m.offset + m.data.length + (m.done ? 0 : extra) })),
  fc.record({ ...base, type: fc.constant('snapResp' as const), index: uint, offset: uint, reject: fc.boolean(), done: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('timeoutNow' as const) }),
  fc.record({ ...base, type: fc.constant('prop' as const), entries: anyEntries }),
  fc.record({ ...base, type: fc.constant('readIndex' as const), context: bytes }),
  fc.record({ ...base, type: fc.constant('readIndexResp' as const), index: uint, context: bytes, reject: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('transferLeader' as const), target: nodeId }),
  fc.record({ ...base, type: fc.constant('member' as const), subject: nodeId, nonce, wish: fc.constantFrom(...memberWishes) }),
  fc.record({
    ...base,
    type: fc.constant('memberResp' as const),
    subject: nodeId,
    nonce,
    status: fc.constantFrom(...memberStatuses),
    leader: fc.oneof(fc.constant(''), nodeId),
  }),
  fc.record({ ...base, type: fc.constant('found' as const), store: storeId }),
  fc.record({ ...base, type: fc.constant('foundResp' as const), store: storeId, conf: meta }),
);

export const clusterId = fc.oneof(fc.constant(''), nodeId);
