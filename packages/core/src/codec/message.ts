/**
 * Messages to bytes and back, driven by the table in schema.ts. Both directions check the
 * same rules, so whatever encodes also decodes, and a decoded message is always well-formed:
 * ids of 1..64 UTF-8 bytes, non-negative safe integers, known entry types, `app` entries
 * contiguous after `prevLogIndex`, snapshot chunks inside `totalBytes`.
 */
import { memberStatuses, memberWishes, type ConfState, type Entry, type Message, type SnapshotMeta } from '../raft/types.ts';
import { Reader, Writer } from './bytes.ts';
import { DecodeError, EncodeError } from './errors.ts';
import { entryTypeCodes, entryTypesByCode, layoutOf, layoutsByTag, typeTags, type FieldKind } from './schema.ts';

/** Bytes an entry takes at least: term, index, type, data length. */
const MIN_ENTRY_BYTES = 4;
/** Bytes an id takes at least: its length byte and one byte of text. */
const MIN_ID_BYTES = 2;

/** Membership request nonces are short random tokens. */
const MAX_NONCE_BYTES = 64;

const confLists = ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const;

/** A generous first guess of the encoded size, so large messages are written without regrowing. */
export function estimateSize(message: Message): number {
  let size = 160;
  if ('entries' in message && Array.isArray(message.entries)) {
    for (const e of message.entries) size += 24 + (e?.data instanceof Uint8Array ? e.data.length : 0);
  }
  if ('data' in message && message.data instanceof Uint8Array) size += 512 + message.data.length;
  if ('context' in message && message.context instanceof Uint8Array) size += message.context.length;
  return size;
}

export function writeMessage(w: Writer, message: Message): void {
  if (typeof message !== 'object' || message === null) throw new EncodeError('impossibleField', 'a message must be an object');
  const layout = layoutOf(message.type);
  if (layout === undefined) throw new EncodeError('unknownType', `unknown message type ${String(message.type)}`);
  w.byte(typeTags[layout.type]);
  w.enter('');
  w.id(message.from, 'from');
  w.id(message.to, 'to');
  w.uint(message.term, 'term');
  const fields = message as unknown as Record<string, unknown>;
  for (const [name, kind] of layout.fields) {
    w.enter(layout.type);
    writeField(w, kind, fields[name], name);
  }
  const problem = checkSemantics(message);
  if (problem !== undefined) throw new EncodeError('impossibleField', problem);
}

function writeField(w: Writer, kind: FieldKind, value: unknown, name: string): void {
  switch (kind) {
    case 'uint':
      return w.uint(value as number, name);
    case 'bool':
      return w.bool(value as boolean, name);
    case 'bytes':
      return w.bytes(value as Uint8Array, name);
    case 'id':
      return w.id(value as string, name);
    case 'optId':
      return w.id(value as string, name, true);
    case 'entries':
      return writeEntries(w, value as readonly Entry[], name);
    case 'meta':
      return writeMeta(w, value as SnapshotMeta, name);
  }
}

function writeEntries(w: Writer, entries: readonly Entry[], name: string): void {
  if (!Array.isArray(entries)) w.fail('impossibleField', name, 'must be an array');
  w.uint(entries.length, name);
  const scope = w.name(name);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    w.enter(scope, i);
    if (typeof entry !== 'object' || entry === null) w.fail('impossibleField', 'entry', 'must be an object');
    w.uint(entry.term, 'term');
    w.uint(entry.index, 'index');
    const code = entryTypeCodes[entry.type];
    if (code === undefined) w.fail('impossibleField', 'type', `${String(entry.type)} is unknown`);
    w.byte(code);
    w.bytes(entry.data, 'data');
  }
}

function writeMeta(w: Writer, meta: SnapshotMeta, name: string): void {
  if (typeof meta !== 'object' || meta === null) w.fail('impossibleField', name, 'must be a SnapshotMeta');
  const scope = w.name(name);
  w.enter(scope);
  w.uint(meta.index, 'index');
  w.uint(meta.term, 'term');
  const conf: ConfState = meta.conf;
  if (typeof conf !== 'object' || conf === null) w.fail('impossibleField', 'conf', 'must be a ConfState');
  const confScope = `${scope}.conf`;
  for (const list of confLists) {
    w.enter(confScope);
    const ids = conf[list];
    if (!Array.isArray(ids)) w.fail('impossibleField', list, 'must be an array');
    w.uint(ids.length, list);
    for (let i = 0; i < ids.length; i++) {
      w.enter(`${confScope}.${list}`, i);
      w.id(ids[i] as string, 'id');
    }
  }
  // autoLeave and whether store bindings follow, in one byte (a reader that knows no bindings
  // refuses a byte other than 0 or 1 rather than misread what follows).
  const stores = conf.stores === undefined ? undefined : Object.entries(conf.stores);
  w.enter(confScope);
  if (typeof conf.autoLeave !== 'boolean') w.fail('impossibleField', 'autoLeave', 'must be a boolean');
  w.byte((conf.autoLeave ? 1 : 0) | (stores === undefined ? 0 : 2));
  if (stores === undefined) return;
  w.uint(stores.length, 'stores');
  for (let i = 0; i < stores.length; i++) {
    w.enter(`${confScope}.stores`, i);
    w.id(stores[i]![0], 'id');
    w.id(stores[i]![1], 'store');
  }
}

/** Reads one message; the caller checks that nothing trails it. */
export function readMessage(r: Reader): Message {
  r.enter('');
  const tag = r.byte('message type');
  const layout = layoutsByTag[tag];
  if (layout === undefined) throw r.error('unknownType', 'message type', `tag ${tag} is unknown`);
  const from = r.id('from');
  r.from = from;
  const message: Record<string, unknown> = { type: layout.type, from, to: r.id('to'), term: r.uint('term') };
  for (const [name, kind] of layout.fields) {
    r.enter(layout.type);
    message[name] = readField(r, kind, name);
  }
  const decoded = message as unknown as Message;
  const problem = checkSemantics(decoded);
  if (problem !== undefined) throw new DecodeError('impossibleField', problem, from);
  return decoded;
}

function readField(r: Reader, kind: FieldKind, name: string): unknown {
  switch (kind) {
    case 'uint':
      return r.uint(name);
    case 'bool':
      return r.bool(name);
    case 'bytes':
      return r.bytes(name);
    case 'id':
      return r.id(name);
    case 'optId':
      return r.id(name, true);
    case 'entries':
      return readEntries(r, name);
    case 'meta':
      return readMeta(r, name);
  }
}

function readEntries(r: Reader, name: string): Entry[] {
  const count = r.count(name, MIN_ENTRY_BYTES);
  const scope = r.name(name);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    r.enter(scope, i);
    const term = r.uint('term');
    const index = r.uint('index');
    const code = r.byte('type');
    const type = entryTypesByCode[code];
    if (type === undefined) throw r.error('impossibleField', 'type', `has unknown code ${code}`);
    entries.push({ term, index, type, data: r.bytes('data') });
  }
  return entries;
}

function readMeta(r: Reader, name: string): SnapshotMeta {
  const scope = r.name(name);
  r.enter(scope);
  const index = r.uint('index');
  const term = r.uint('term');
  const confScope = `${scope}.conf`;
  const lists: string[][] = [];
  for (const list of confLists) {
    r.enter(confScope);
    const count = r.count(list, MIN_ID_BYTES);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      r.enter(`${confScope}.${list}`, i);
      ids.push(r.id('id'));
    }
    lists.push(ids);
  }
  r.enter(confScope);
  const [voters, learners, votersOutgoing, learnersNext] = lists as [string[], string[], string[], string[]];
  const flags = r.byte('autoLeave');
  if (flags > 3) throw r.error('decode', 'autoLeave', `has unknown flags (byte ${flags})`);
  const conf: ConfState = { voters, learners, votersOutgoing, learnersNext, autoLeave: (flags & 1) === 1 };
  if ((flags & 2) === 0) return { index, term, conf };
  const count = r.count('stores', 2 * MIN_ID_BYTES);
  const stores: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < count; i++) {
    r.enter(`${confScope}.stores`, i);
    const id = r.id('id');
    if (Object.hasOwn(stores, id)) throw r.error('impossibleField', 'id', `${id} is bound twice`);
    stores[id] = r.id('store');
  }
  return { index, term, conf: { ...conf, stores } };
}

/** Rules across fields that hold for every message a correct node sends. */
function checkSemantics(message: Message): string | undefined {
  switch (message.type) {
    case 'app': {
      const entries = message.entries;
      for (let i = 0; i < entries.length; i++) {
        if (entries[i]!.index !== message.prevLogIndex + 1 + i) {
          return `app.entries[${i}].index is ${entries[i]!.index}, expected ${message.prevLogIndex + 1 + i} (contiguous after prevLogIndex)`;
        }
      }
      return undefined;
    }
    case 'snap':
      if (message.offset + message.data.length > message.totalBytes) {
        return `snap chunk ends at ${message.offset + message.data.length}, beyond totalBytes ${message.totalBytes}`;
      }
      if (message.done && message.offset + message.data.length !== message.totalBytes) {
        return `snap chunk marked done ends at ${message.offset + message.data.length}, not at totalBytes ${message.totalBytes}`;
      }
      return undefined;
    case 'member':
      return checkNonce(message.nonce, 'member') ?? (memberWishes.includes(message.wish) ? undefined : `member.wish ${String(message.wish)} is unknown`);
    case 'memberResp':
      return (
        checkNonce(message.nonce, 'memberResp') ??
        (memberStatuses.includes(message.status) ? undefined : `memberResp.status ${String(message.status)} is unknown`)
      );
    default:
      return undefined;
  }
}

function checkNonce(nonce: Uint8Array, type: string): string | undefined {
  return nonce.length >= 1 && nonce.length <= MAX_NONCE_BYTES ? undefined : `${type}.nonce is ${nonce.length} bytes, expected 1..${MAX_NONCE_BYTES}`;
}

/** One message to bytes, without a frame (no version, cluster or authentication). */
export function encodeMessage(message: Message): Uint8Array {
  const w = Writer.forSize(estimateSize(message));
  writeMessage(w, message);
  return w.finish();
}

/** Bytes from {@link encodeMessage} back to a message; throws a DecodeError for anything else. */
export function decodeMessage(bytes: Uint8Array): Message {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('decode', 'a message must be a Uint8Array');
  const r = new Reader(bytes);
  const message = readMessage(r);
  r.expectEnd('the message');
  return message;
}
