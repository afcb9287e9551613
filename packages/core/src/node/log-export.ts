/**
 * A portable copy of one node's durable log, for tools (`webraft inspect`) and bug reports:
 * JSON text, versioned, bytes in base64. `describeEntry` reads an entry the way RaftNode
 * wrote it (command envelope or batch, session registration, membership change).
 */
import type { ConfChange, ConfState, Entry, EntryType, HardState, Snapshot, SnapshotMeta } from '../raft/types.ts';
import type { CommandCodec } from './state-machine.ts';
import type { LogStore } from '../storage/log-store.ts';
import { decodeConfEntry } from '../raft/conf-change-codec.ts';
import { EnvelopeCodec, decodeBatch, isBatch } from './envelope.ts';
import { jsonCodec } from './codecs.ts';

export const logExportFormat = 'webraft-log-export';
export const logExportVersion = 1;

export interface LogExport {
  readonly format: typeof logExportFormat;
  readonly version: typeof logExportVersion;
  readonly hardState: HardState;
  readonly snapshot?: Snapshot;
  readonly entries: readonly Entry[];
}

/** A log export that cannot be read: not JSON, another format or version, or a malformed field. */
export class LogExportError extends Error {
  override readonly name = 'LogExportError';
}

/**
 * Reads everything `store` holds. It calls `store.load()`, so pass a store no node is running
 * on (reopen it after the node stopped, or open a second handle on the same data).
 */
export async function exportLog(store: LogStore): Promise<LogExport> {
  const state = await store.load();
  return {
    format: logExportFormat,
    version: logExportVersion,
    hardState: state.hardState,
    ...(state.snapshot ? { snapshot: state.snapshot } : {}),
    entries: state.entries,
  };
}

export function serializeLogExport(log: LogExport): string {
  const wire = {
    format: logExportFormat,
    version: logExportVersion,
    hardState: { term: log.hardState.term, vote: log.hardState.vote, commit: log.hardState.commit, ...(log.hardState.store !== undefined ? { store: log.hardState.store } : {}) },
    snapshot: log.snapshot ? { meta: log.snapshot.meta, data: toBase64(log.snapshot.data) } : null,
    entries: log.entries.map((e) => ({ index: e.index, term: e.term, type: e.type, data: toBase64(e.data) })),
  };
  return JSON.stringify(wire, null, 1);
}

/** @throws LogExportError naming the first field that is wrong. */
export function parseLogExport(text: string): LogExport {
  let wire: unknown;
  try {
    wire = JSON.parse(text);
  } catch {
    throw new LogExportError('not JSON');
  }
  const root = record(wire, 'export');
  if (root.format !== logExportFormat) throw new LogExportError(`format is not "${logExportFormat}"`);
  if (root.version !== logExportVersion) throw new LogExportError(`unsupported version ${String(root.version)}`);
  const hs = record(root.hardState, 'hardState');
  const hardState: HardState = {
    term: count(hs.term, 'hardState.term'),
    vote: text0(hs.vote, 'hardState.vote'),
    commit: count(hs.commit, 'hardState.commit'),
    ...(hs.store !== undefined ? { store: text0(hs.store, 'hardState.store') } : {}),
  };
  let snapshot: Snapshot | undefined;
  if (root.snapshot !== null && root.snapshot !== undefined) {
    const s = record(root.snapshot, 'snapshot');
    snapshot = { meta: snapshotMeta(s.meta), data: fromBase64(s.data, 'snapshot.data') };
  }
  if (!Array.isArray(root.entries)) throw new LogExportError('entries is not a list');
  const entries = root.entries.map((raw: unknown, i: number): Entry => {
    const e = record(raw, `entries[${i}]`);
    const type = e.type;
    if (type !== 'normal' && type !== 'noop' && type !== 'config') throw new LogExportError(`entries[${i}].type is not an entry type`);
    return { index: count(e.index, `entries[${i}].index`), term: count(e.term, `entries[${i}].term`), type, data: fromBase64(e.data, `entries[${i}].data`) };
  });
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.index !== entries[i - 1]!.index + 1) throw new LogExportError(`entries[${i}] leaves a hole after index ${entries[i - 1]!.index}`);
  }
  return { format: logExportFormat, version: logExportVersion, hardState, ...(snapshot ? { snapshot } : {}), entries };
}

/** What a log entry holds, as far as it can be read without the application's state machine. */
export type EntryDescription =
  | { readonly kind: 'noop' }
  /** `configuration`: what the change made, where the entry records it. */
  | { readonly kind: 'config'; readonly change: ConfChange; readonly configuration?: ConfState }
  | { readonly kind: 'register' }
  | { readonly kind: 'commands'; readonly commands: readonly DescribedCommand[] }
  | { readonly kind: 'undecodable'; readonly type: EntryType; readonly reason: string };

export interface DescribedCommand {
  /** The decoded command, or undefined when `error` says why it could not be decoded. */
  readonly command?: unknown;
  readonly session?: { readonly clientId: string; readonly seq: number };
  readonly error?: string;
}

/**
 * Reads an entry as RaftNode wrote it. `codec` is the node's `commandCodec` (@default JSON);
 * a command it cannot decode is reported in `error`, never thrown.
 */
export function describeEntry(entry: Entry, codec: CommandCodec<unknown> = jsonCodec<unknown>()): EntryDescription {
  if (entry.type === 'noop') return { kind: 'noop' };
  try {
    if (entry.type === 'config') {
      const { change, result } = decodeConfEntry(entry.data);
      return { kind: 'config', change, ...(result !== undefined ? { configuration: result } : {}) };
    }
    // Any id decodes an envelope; it only decides which entries count as "mine".
    const envelopes = new EnvelopeCodec('inspect', 0);
    const bounds = isBatch(entry.data) ? decodeBatch(entry.data) : [0, entry.data.length];
    const commands: DescribedCommand[] = [];
    for (let i = 0; i < bounds.length; i += 2) {
      const envelope = envelopes.decode(entry.data, bounds[i], bounds[i + 1]);
      if (envelope.register) return { kind: 'register' };
      const session = envelope.session ? { session: { ...envelope.session } } : {};
      try {
        commands.push({ command: codec.decode(envelope.payload.slice()), ...session });
      } catch (error) {
        commands.push({ error: (error as Error).message, ...session });
      }
    }
    return { kind: 'commands', commands };
  } catch (error) {
    return { kind: 'undecodable', type: entry.type, reason: (error as Error).message };
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LogExportError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new LogExportError(`${what} is not a non-negative integer`);
  return value as number;
}

function text0(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new LogExportError(`${what} is not a string`);
  return value;
}

function ids(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new LogExportError(`${what} is not a list of node ids`);
  return value as string[];
}

function snapshotMeta(value: unknown): SnapshotMeta {
  const meta = record(value, 'snapshot.meta');
  const conf = record(meta.conf, 'snapshot.meta.conf');
  if (typeof conf.autoLeave !== 'boolean') throw new LogExportError('snapshot.meta.conf.autoLeave is not a boolean');
  return {
    index: count(meta.index, 'snapshot.meta.index'),
    term: count(meta.term, 'snapshot.meta.term'),
    conf: {
      voters: ids(conf.voters, 'snapshot.meta.conf.voters'),
      learners: ids(conf.learners, 'snapshot.meta.conf.learners'),
      votersOutgoing: ids(conf.votersOutgoing, 'snapshot.meta.conf.votersOutgoing'),
      learnersNext: ids(conf.learnersNext, 'snapshot.meta.conf.learnersNext'),
      autoLeave: conf.autoLeave,
      ...(conf.stores !== undefined ? { stores: storeBindings(conf.stores) } : {}),
    },
  };
}

function storeBindings(value: unknown): Record<string, string> {
  const stores = record(value, 'snapshot.meta.conf.stores');
  const out = Object.create(null) as Record<string, string>;
  for (const [id, store] of Object.entries(stores)) out[id] = text0(store, `snapshot.meta.conf.stores.${id}`);
  return out;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? alphabet[n & 63]! : '=';
  }
  return out;
}

function fromBase64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new LogExportError(`${what} is not base64`);
  }
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((value.length / 4) * 3 - padding);
  let pos = 0;
  for (let i = 0; i < value.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) n = (n << 6) | (value[i + j] === '=' ? 0 : alphabet.indexOf(value[i + j]!));
    if (pos < out.length) out[pos++] = n >> 16;
    if (pos < out.length) out[pos++] = (n >> 8) & 255;
    if (pos < out.length) out[pos++] = n & 255;
  }
  return out;
}
