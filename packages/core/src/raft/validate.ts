/**
 * Checks a message before it reaches the state machine: every refusal is a Rejection and
 * leaves the node untouched. Legitimate traffic must pass — in particular a node that does
 * not know its configuration yet accepts `app`, `heartbeat` and `snap` from any leader.
 */
import { messageTypes, type ConfState, type Entry, type Message, type Rejection } from './types.ts';
import type { Raft } from './raft.ts';
import { isStoreId } from './confchange.ts';

const knownTypes: ReadonlySet<unknown> = new Set(messageTypes);

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function impossible(detail: string): Rejection {
  return { reason: 'impossibleField', detail };
}

function checkIndexes(m: object, fields: readonly string[]): Rejection | undefined {
  for (const f of fields) {
    const v = (m as Record<string, unknown>)[f];
    if (!isIndex(v)) return impossible(`${f} must be a non-negative integer, got ${String(v)}`);
  }
  return undefined;
}

function checkBooleans(m: object, fields: readonly string[]): Rejection | undefined {
  for (const f of fields) {
    if (typeof (m as Record<string, unknown>)[f] !== 'boolean') return impossible(`${f} must be a boolean`);
  }
  return undefined;
}

function checkBytes(value: unknown, what: string): Rejection | undefined {
  return value instanceof Uint8Array ? undefined : impossible(`${what} must be bytes`);
}

function checkIds(value: unknown): boolean {
  return Array.isArray(value) && value.every((id) => typeof id === 'string' && id !== '');
}

function checkConf(conf: ConfState | undefined): Rejection | undefined {
  if (typeof conf !== 'object' || conf === null) return impossible('snapshot configuration missing');
  for (const f of ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const) {
    if (!checkIds(conf[f])) return impossible(`snapshot ${f} must be a list of node ids`);
  }
  if (typeof conf.autoLeave !== 'boolean') return impossible('snapshot autoLeave must be a boolean');
  if (conf.stores !== undefined) {
    if (typeof conf.stores !== 'object' || conf.stores === null) return impossible('snapshot stores must be an object');
    for (const store of Object.values(conf.stores)) if (!isStoreId(store)) return impossible('snapshot stores must be store ids');
  }
  return undefined;
}

/** Entries must be well-formed, contiguous from `firstIndex` and of non-decreasing terms ≤ `maxTerm`. */
function checkEntries(entries: unknown, firstIndex: number, minTerm: number, maxTerm: number): Rejection | undefined {
  if (!Array.isArray(entries)) return impossible('entries must be a list');
  let expected = firstIndex;
  let lastTerm = minTerm;
  for (const e of entries as Entry[]) {
    if (typeof e !== 'object' || e === null) return impossible('entry must be an object');
    if (!isIndex(e.index) || !isIndex(e.term)) return impossible('entry index and term must be non-negative integers');
    if (e.index !== expected) return impossible(`entry index ${e.index}, expected ${expected}`);
    if (e.term < lastTerm) return impossible(`entry ${e.index} has term ${e.term} below the entry before it`);
    if (e.term > maxTerm) return impossible(`entry ${e.index} has term ${e.term} above the message term`);
    if (e.type !== 'normal' && e.type !== 'noop' && e.type !== 'config') return impossible(`entry ${e.index} has unknown type`);
    if (!(e.data instanceof Uint8Array)) return impossible(`entry ${e.index} data must be bytes`);
    expected++;
    lastTerm = e.term;
  }
  return undefined;
}

export function validateMessage(r: Raft, m: Message): Rejection | undefined {
  if (typeof m !== 'object' || m === null) return { reason: 'unknownType', detail: 'not a message object' };
  if (!knownTypes.has(m.type)) return { reason: 'unknownType', detail: `unknown type ${String(m.type)}` };
  if (m.to !== r.id) return { reason: 'wrongRecipient', detail: `addressed to ${String(m.to)}` };
  if (typeof m.from !== 'string' || m.from === '') return impossible('from must be a node id');
  if (m.from === r.id) return impossible('message claims to come from this node');
  if (!isIndex(m.term)) return impossible(`term must be a non-negative integer, got ${String(m.term)}`);
  switch (m.type) {
    case 'vote':
      return (
        checkIndexes(m, ['lastLogIndex', 'lastLogTerm']) ??
        checkBooleans(m, ['pre', 'transfer']) ??
        (m.lastLogTerm > m.term ? impossible('lastLogTerm above the candidate term') : undefined) ??
        (m.lastLogIndex === 0 && m.lastLogTerm !== 0 ? impossible('empty log with a term') : undefined) ??
        // Thesis §4.1: a node votes for a candidate outside its configuration, which may be a
        // voter added by a change it has not learned yet (refusing could block every election);
        // but not while it hears from a leader, like any disruptive candidate (§4.2.3).
        (r.trk.isMember(m.from) || !hearsLeader(r)
          ? undefined
          : { reason: 'nonMember', detail: `${m.from} asks for a vote but is not a member, and ${r.id} hears from its leader` })
      );
    case 'voteResp':
      return checkBooleans(m, ['pre', 'reject']) ?? checkIndexes(m, ['storeTag']);
    // The replication traffic checks its fields by name first: a lookup by a field name held
    // in a variable is several times slower, and these messages are most of what arrives.
    case 'app':
      return (
        (isIndex(m.prevLogIndex) && isIndex(m.prevLogTerm) && isIndex(m.commit) ? undefined : checkIndexes(m, ['prevLogIndex', 'prevLogTerm', 'commit'])) ??
        (m.prevLogTerm > m.term ? impossible('prevLogTerm above the message term') : undefined) ??
        (m.prevLogIndex === 0 && m.prevLogTerm !== 0 ? impossible('index 0 with a term') : undefined) ??
        checkEntries(m.entries, m.prevLogIndex + 1, m.prevLogTerm, m.term)
      );
    case 'appResp':
      return isIndex(m.index) && isIndex(m.hintIndex) && isIndex(m.hintTerm) && isIndex(m.storeTag) && typeof m.reject === 'boolean'
        ? undefined
        : (checkIndexes(m, ['index', 'hintIndex', 'hintTerm', 'storeTag']) ?? checkBooleans(m, ['reject']));
    case 'heartbeat':
      return (isIndex(m.commit) ? undefined : checkIndexes(m, ['commit'])) ?? checkBytes(m.context, 'context');
    case 'heartbeatResp':
      return checkBytes(m.context, 'context') ?? checkIndexes(m, ['storeTag']);
    case 'snap': {
      const meta = m.meta as Partial<typeof m.meta> | undefined;
      if (typeof meta !== 'object' || meta === null) return impossible('snapshot meta missing');
      return (
        checkIndexes(meta, ['index', 'term']) ??
        checkIndexes(m, ['offset', 'totalBytes']) ??
        checkBooleans(m, ['done']) ??
        checkBytes(m.data, 'data') ??
        checkConf(meta.conf) ??
        (m.meta.index === 0 ? impossible('snapshot at index 0') : undefined) ??
        (m.meta.term > m.term ? impossible('snapshot term above the message term') : undefined) ??
        (m.offset + m.data.byteLength > m.totalBytes ? impossible('chunk beyond totalBytes') : undefined) ??
        (m.done !== (m.offset + m.data.byteLength === m.totalBytes) ? impossible('done does not match totalBytes') : undefined)
      );
    }
    case 'snapResp':
      return checkIndexes(m, ['index', 'offset']) ?? checkBooleans(m, ['reject', 'done']);
    case 'timeoutNow':
      // The most disruptive message there is: only the leader we follow may send it — also
      // once it is no member: a removed leader hands over with it (thesis §4.2.2).
      return r.trk.isMember(m.from) || (m.from === r.lead && m.term === r.term)
        ? fromOurLeader(r, m)
        : { reason: 'nonMember', detail: `${m.from} is not a member` };
    case 'prop':
      return (
        (Array.isArray(m.entries) ? undefined : impossible('entries must be a list')) ??
        checkEntriesShape(m.entries) ??
        (r.trk.isMember(m.from) ? undefined : { reason: 'nonMember', detail: `${m.from} proposes but is not a member` })
      );
    case 'readIndex':
      return (
        checkBytes(m.context, 'context') ??
        (m.context.byteLength > 0 ? undefined : impossible('context must not be empty')) ??
        (r.trk.isMember(m.from) ? undefined : { reason: 'nonMember', detail: `${m.from} reads but is not a member` })
      );
    case 'readIndexResp':
      // A read index no leader confirmed would make the read stale (thesis §6.4).
      return (
        checkIndexes(m, ['index']) ??
        checkBytes(m.context, 'context') ??
        checkBooleans(m, ['reject']) ??
        (r.trk.isMember(m.from) ? fromOurLeader(r, m) : { reason: 'nonMember', detail: `${m.from} is not a member` })
      );
    case 'transferLeader':
      return (
        (typeof m.target === 'string' && m.target !== '' ? undefined : impossible('target must be a node id')) ??
        (r.trk.isMember(m.from) ? undefined : { reason: 'nonMember', detail: `${m.from} is not a member` })
      );
    case 'member':
    case 'memberResp':
    case 'found':
    case 'foundResp':
      // Membership requests and founding are the driver's business; the core takes no part in them.
      return { reason: 'unknownType', detail: `${m.type} messages are handled by the driver, not the core` };
  }
}

/** Forwarded proposals: index and term are assigned by the leader, so only type and data matter. */
function checkEntriesShape(entries: readonly Entry[]): Rejection | undefined {
  for (const e of entries) {
    if (typeof e !== 'object' || e === null) return impossible('entry must be an object');
    if (e.type !== 'normal' && e.type !== 'config') return impossible('only normal and config entries can be proposed');
    if (!(e.data instanceof Uint8Array)) return impossible('entry data must be bytes');
  }
  return undefined;
}

/** Messages only the current leader sends: a stale one is left to the term check. */
function fromOurLeader(r: Raft, m: Message): Rejection | undefined {
  if (m.term < r.term) return undefined;
  if (m.term === r.term && m.from === r.lead && r.lead !== r.id) return undefined;
  return impossible(`${m.type} from ${m.from}, who is not the leader this node follows`);
}

/** Whether `r` leads, or heard from its leader within an election timeout. */
function hearsLeader(r: Raft): boolean {
  return r.role === 'leader' || (r.lead !== '' && r.electionElapsed < r.cfg.electionTicks);
}
