import type { ConfState, EntryType } from '@webraft/core';

/**
 * The records this store keeps, and the checks every record read back goes through. A
 * check returns a description of the first problem, or undefined when the value is sound.
 */

export const SCHEMA_VERSION = 1;
export const META = 'meta';
/**
 * The log, as runs: each record is an array of contiguous entries keyed by its first index.
 * A run truncates every earlier run from its first index on, so runs read in key order give
 * the log. One record per transaction's worth of appends keeps IndexedDB's per-record cost
 * (a clone, an IPC, a LevelDB write each) off the hot path.
 */
export const RUNS = 'entryRuns';
export const CHUNKS = 'snapshotChunks';
export const OBJECT_STORES = [META, RUNS, CHUNKS] as const;

export const IDENTITY_KEY = 'identity';
export const HARD_STATE_KEY = 'hardState';
export const SNAPSHOT_KEY = 'snapshot';
/** Index of the last entry dropped by an install or a compaction; absent means 0. */
export const FLOOR_KEY = 'floor';
/** Set by the first write, so a store written only with, say, a hard state is not `empty`. */
export const WRITTEN_KEY = 'written';

/** Written once, when the store is created; tells one life of a node's durable state from another. */
export interface IdentityRecord {
  readonly format: 1;
  readonly clusterId: string;
  readonly nodeId: string;
  /** Random, new for every creation of the database. */
  readonly incarnation: string;
  readonly createdAt: number;
}

/** The snapshot's metadata; its bytes live in CHUNKS under keys 0 .. chunkCount-1. */
export interface SnapshotRecord {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
  readonly byteLength: number;
  readonly chunkCount: number;
}

const entryTypes: ReadonlySet<string> = new Set<EntryType>(['normal', 'noop', 'config']);

export function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function checkEntryFields(e: unknown): string | undefined {
  if (!isObject(e)) return 'not an object';
  if (!isIndex(e.index) || e.index < 1) return `index ${String(e.index)} is not a positive integer`;
  if (!isIndex(e.term)) return `term ${String(e.term)} is not a non-negative integer`;
  if (typeof e.type !== 'string' || !entryTypes.has(e.type)) return `type ${String(e.type)} is unknown`;
  if (!(e.data instanceof Uint8Array)) return 'data is not a Uint8Array';
  return undefined;
}

export function checkHardState(h: unknown): string | undefined {
  if (!isObject(h)) return 'not an object';
  if (!isIndex(h.term)) return `term ${String(h.term)} is not a non-negative integer`;
  if (typeof h.vote !== 'string') return 'vote is not a string';
  if (!isIndex(h.commit)) return `commit ${String(h.commit)} is not a non-negative integer`;
  if (h.store !== undefined && typeof h.store !== 'string') return 'store is not a string';
  return undefined;
}

export function checkConf(c: unknown): string | undefined {
  if (!isObject(c)) return 'not an object';
  for (const field of ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const) {
    if (!isStringList(c[field])) return `${field} is not a list of node ids`;
  }
  if (typeof c.autoLeave !== 'boolean') return 'autoLeave is not a boolean';
  return undefined;
}

export function checkIdentity(r: unknown): string | undefined {
  if (!isObject(r)) return 'not an object';
  if (r.format !== 1) return `format ${String(r.format)} is unknown`;
  for (const field of ['clusterId', 'nodeId', 'incarnation'] as const) {
    if (typeof r[field] !== 'string') return `${field} is not a string`;
  }
  if (typeof r.createdAt !== 'number') return 'createdAt is not a number';
  return undefined;
}

export function checkSnapshotRecord(r: unknown): string | undefined {
  if (!isObject(r)) return 'not an object';
  if (!isIndex(r.index) || !isIndex(r.term)) return 'index/term are not non-negative integers';
  const conf = checkConf(r.conf);
  if (conf) return `conf: ${conf}`;
  if (!isIndex(r.byteLength) || !isIndex(r.chunkCount)) return 'byteLength/chunkCount are not non-negative integers';
  return undefined;
}
