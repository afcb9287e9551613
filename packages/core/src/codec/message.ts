/**
 * Messages to bytes and back, driven by the table in schema.ts. Both directions check the
 * same rules, so whatever encodes also decodes, and a decoded message is always well-formed:
 * ids of 1..64 UTF-8 bytes, non-negative safe integers, known entry types, `app` entries
 * contiguous after `prevLogIndex`, snapshot chunks inside `totalBytes`.
 */
import type { ConfState, Entry, Message, SnapshotMeta } from '../raft/types.ts';
import { Reader, Writer } from './bytes.ts';
import { DecodeError, EncodeError } from './errors.ts';
import { entryTypeCodes, entryTypesByCode, layoutOf, layoutsByTag, typeTags, type FieldKind } from './schema.ts';

/** Bytes an entry takes at least: term, index, type, data length. */
const MIN_ENTRY_BYTES = 4;
/** Bytes an id takes at least: its length byte and one byte of text. */
const MIN_ID_BYTES = 2;

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
  w.id(message.from, 'from');
  w.id(message.to, 'to');
  w.uint(message.term, 'term');
  const fields = message as unknown as Record<string, unknown>;
  for (const [name, kind] of layout.fields) writeField(w, kind, fields[name], `${layout.type}.${name}`);
  const problem = checkSemantics(message);
  if (problem !== undefined) throw new EncodeError('impossibleField', problem);
}

function writeField(w: Writer, kind: FieldKind, value: unknown, what: string): void {
  switch (kind) {
    case 'uint':
      return w.uint(value as number, what);
    case 'bool':
      return w.bool(value as boolean, what);
    case 'bytes':
      return w.bytes(value as Uint8Array, what);
    case 'id':
      return w.id(value as string, what);
    case 'entries':
      return writeEntries(w, value as readonly Entry[], what);
    case 'meta':
      return writeMeta(w, value as SnapshotMeta, what);
  }
}

function writeEntries(w: Writer, entries: readonly Entry[], what: string): void {
  if (!Array.isArray(entries)) throw new EncodeError('impossibleField', `${what} must be an array`);
  w.uint(entries.length, `${what}.count`);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    const at = `${what}[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new EncodeError('impossibleField', `${at} must be an entry`);
    w.uint(entry.term, `${at}.term`);
    w.uint(entry.index, `${at}.index`);
    const code = entryTypeCodes[entry.type];
    if (code === undefined) throw new EncodeError('impossibleField', `${at}.type ${String(entry.type)} is unknown`);
    w.byte(code);
    w.bytes(entry.data, `${at}.data`);
  }
}

export function writeConfState(w: Writer, conf: ConfState, what: string): void {
  if (typeof conf !== 'object' || conf === null) throw new EncodeError('impossibleField', `${what} must be a ConfState`);
  for (const list of confLists) {
    const ids = conf[list];
    if (!Array.isArray(ids)) throw new EncodeError('impossibleField', `${what}.${list} must be an array`);
    w.uint(ids.length, `${what}.${list}.count`);
    for (let i = 0; i < ids.length; i++) w.id(ids[i] as string, `${what}.${list}[${i}]`);
  }
  w.bool(conf.autoLeave, `${what}.autoLeave`);
}

function writeMeta(w: Writer, meta: SnapshotMeta, what: string): void {
  if (typeof meta !== 'object' || meta === null) throw new EncodeError('impossibleField', `${what} must be a SnapshotMeta`);
  w.uint(meta.index, `${what}.index`);
  w.uint(meta.term, `${what}.term`);
  writeConfState(w, meta.conf, `${what}.conf`);
}

/** Reads one message; the caller checks that nothing trails it. */
export function readMessage(r: Reader): Message {
  const tag = r.byte('message type');
  const layout = layoutsByTag[tag];
  if (layout === undefined) throw r.error('unknownType', `unknown message type tag ${tag}`);
  const from = r.id('from');
  r.from = from;
  const message: Record<string, unknown> = { type: layout.type, from, to: r.id('to'), term: r.uint('term') };
  for (const [name, kind] of layout.fields) message[name] = readField(r, kind, `${layout.type}.${name}`);
  const decoded = message as unknown as Message;
  const problem = checkSemantics(decoded);
  if (problem !== undefined) throw r.error('impossibleField', problem);
  return decoded;
}

function readField(r: Reader, kind: FieldKind, what: string): unknown {
  switch (kind) {
    case 'uint':
      return r.uint(what);
    case 'bool':
      return r.bool(what);
    case 'bytes':
      return r.bytes(what);
    case 'id':
      return r.id(what);
    case 'entries':
      return readEntries(r, what);
    case 'meta':
      return readMeta(r, what);
  }
}

function readEntries(r: Reader, what: string): Entry[] {
  const count = r.count(what, MIN_ENTRY_BYTES);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const at = `${what}[${i}]`;
    const term = r.uint(`${at}.term`);
    const index = r.uint(`${at}.index`);
    const code = r.byte(`${at}.type`);
    const type = entryTypesByCode[code];
    if (type === undefined) throw r.error('impossibleField', `${at}.type has unknown code ${code}`);
    entries.push({ term, index, type, data: r.bytes(`${at}.data`) });
  }
  return entries;
}

export function readConfState(r: Reader, what: string): ConfState {
  const lists: string[][] = [];
  for (const list of confLists) {
    const count = r.count(`${what}.${list}`, MIN_ID_BYTES);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(r.id(`${what}.${list}[${i}]`));
    lists.push(ids);
  }
  const [voters, learners, votersOutgoing, learnersNext] = lists as [string[], string[], string[], string[]];
  return { voters, learners, votersOutgoing, learnersNext, autoLeave: r.bool(`${what}.autoLeave`) };
}

function readMeta(r: Reader, what: string): SnapshotMeta {
  const index = r.uint(`${what}.index`);
  const term = r.uint(`${what}.term`);
  return { index, term, conf: readConfState(r, `${what}.conf`) };
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
    default:
      return undefined;
  }
}

/** One message to bytes, without a frame (no version, cluster or authentication). */
export function encodeMessage(message: Message): Uint8Array {
  const w = new Writer(estimateSize(message));
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
