import type { ConfState, Entry, Message, MessageType, NodeId, SnapshotMeta } from '../raft/types.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** A joint configuration with every list non-empty, so each field is exercised. */
export const sampleConfState: ConfState = {
  voters: ['n1', 'n2', 'nœud-3'],
  learners: ['l1'],
  votersOutgoing: ['n1', 'n2', 'old'],
  learnersNext: ['old'],
  autoLeave: true,
  stores: { n1: 'store-1', n2: 'store-2', 'nœud-3': 'magasin-3', l1: 'store-l1', old: 'store-old' },
};

export const sampleSnapshotMeta: SnapshotMeta = { index: 4096, term: 7, conf: sampleConfState };

export function sampleEntries(firstIndex: number, term: number): Entry[] {
  return [
    { term, index: firstIndex, type: 'noop', data: new Uint8Array(0) },
    { term, index: firstIndex + 1, type: 'normal', data: bytes(0, 1, 127, 128, 255) },
    { term, index: firstIndex + 2, type: 'config', data: bytes(9, 8, 7) },
  ];
}

/**
 * One message of every type, every field set to a value other than its zero, so a transport
 * or codec that drops or mangles a field is caught.
 */
export function sampleMessages(from: NodeId, to: NodeId): Message[] {
  const base = { from, to, term: 2 ** 40 + 3 };
  const messages: Record<MessageType, Message> = {
    vote: { ...base, type: 'vote', pre: true, lastLogIndex: 1_000_000, lastLogTerm: 6, transfer: true },
    voteResp: { ...base, type: 'voteResp', pre: true, reject: true, storeTag: 77 },
    app: { ...base, type: 'app', prevLogIndex: 99, prevLogTerm: 5, entries: sampleEntries(100, 7), commit: 98 },
    appResp: { ...base, type: 'appResp', index: 42, reject: true, hintIndex: 40, hintTerm: 3, storeTag: 2 ** 52 + 5 },
    heartbeat: { ...base, type: 'heartbeat', commit: 77, context: bytes(1, 2, 3) },
    heartbeatResp: { ...base, type: 'heartbeatResp', context: bytes(3, 2, 1), storeTag: 123_456_789 },
    snap: {
      ...base,
      type: 'snap',
      meta: sampleSnapshotMeta,
      offset: 262_144,
      data: bytes(5, 0, 5),
      done: true,
      totalBytes: 262_147,
    },
    snapResp: { ...base, type: 'snapResp', index: 4096, offset: 524_288, reject: true, done: true },
    timeoutNow: { ...base, type: 'timeoutNow' },
    prop: { ...base, type: 'prop', entries: sampleEntries(0, 0) },
    readIndex: { ...base, type: 'readIndex', context: bytes(0xff, 0) },
    readIndexResp: { ...base, type: 'readIndexResp', index: 123_456, context: bytes(0xff, 1), reject: true },
    transferLeader: { ...base, type: 'transferLeader', target: 'nœud-3' },
    member: { ...base, type: 'member', subject: 'nœud-4', nonce: bytes(7, 0, 255, 128), wish: 'learner' },
    memberResp: { ...base, type: 'memberResp', subject: 'nœud-4', nonce: bytes(7, 0, 255, 128), status: 'idTaken', leader: 'n1' },
    found: { ...base, type: 'found', store: 'a1b2c3' },
    foundResp: { ...base, type: 'foundResp', store: 'd4e5f6', conf: { index: 0, term: 0, conf: sampleConfState } },
  };
  return Object.values(messages);
}
