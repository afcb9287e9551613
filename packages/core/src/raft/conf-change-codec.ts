/**
 * The bytes of a `config` entry: UTF-8 JSON with a fixed key order, so equal changes give
 * equal bytes. A leader also records the configuration that results from the change, so a
 * node that joined later can replay the log without knowing the bootstrap configuration.
 */
import { isStoreId } from './confchange.ts';
import type { ConfChange, ConfChangeSingle, ConfChangeType, ConfState } from './types.ts';

export class ConfChangeDecodeError extends Error {
  override readonly name = 'ConfChangeDecodeError';
}

const changeTypes: readonly ConfChangeType[] = ['addVoter', 'addLearner', 'remove'];

/** `c`: each change as [type, id] or [type, id, store]; `r`: the lists, autoLeave, then the store bindings when the configuration has them. */
interface Wire {
  v: 1;
  t: 'auto' | 'explicit';
  c: ([ConfChangeType, string] | [ConfChangeType, string, string])[];
  x: string;
  r?: [string[], string[], string[], string[], boolean] | [string[], string[], string[], string[], boolean, [string, string][]];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new ConfChangeDecodeError('bad context hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function encodeConfChange(change: ConfChange): Uint8Array {
  return encodeConfEntry(change, undefined);
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  return decodeConfEntry(data).change;
}

/** Encodes a change together with the configuration it produces (written by leaders). */
export function encodeConfEntry(change: ConfChange, result: ConfState | undefined): Uint8Array {
  const wire: Wire = {
    v: 1,
    t: change.transition,
    c: change.changes.map((s) => (s.store === undefined ? [s.type, s.id] : [s.type, s.id, s.store])),
    x: toHex(change.context),
  };
  if (result !== undefined) {
    const lists: [string[], string[], string[], string[]] = [[...result.voters], [...result.learners], [...result.votersOutgoing], [...result.learnersNext]];
    wire.r =
      result.stores === undefined
        ? [...lists, result.autoLeave]
        : [...lists, result.autoLeave, Object.entries(result.stores).sort((a, b) => (a[0] < b[0] ? -1 : 1))];
  }
  return encoder.encode(JSON.stringify(wire));
}

function stringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new ConfChangeDecodeError(`${what} is not a list of node ids`);
  }
  return value as string[];
}

export function decodeConfEntry(data: Uint8Array): { change: ConfChange; result?: ConfState } {
  let wire: unknown;
  try {
    wire = JSON.parse(decoder.decode(data));
  } catch {
    throw new ConfChangeDecodeError('config entry is not UTF-8 JSON');
  }
  if (typeof wire !== 'object' || wire === null) throw new ConfChangeDecodeError('not an object');
  const w = wire as Partial<Wire>;
  if (w.v !== 1) throw new ConfChangeDecodeError(`unknown version ${String(w.v)}`);
  if (w.t !== 'auto' && w.t !== 'explicit') throw new ConfChangeDecodeError('bad transition');
  if (!Array.isArray(w.c)) throw new ConfChangeDecodeError('changes missing');
  const changes: ConfChangeSingle[] = w.c.map((pair: unknown) => {
    if (!Array.isArray(pair) || (pair.length !== 2 && pair.length !== 3)) throw new ConfChangeDecodeError('bad change');
    const [type, id, store] = pair as [unknown, unknown, unknown];
    if (!changeTypes.includes(type as ConfChangeType)) throw new ConfChangeDecodeError('bad change type');
    if (typeof id !== 'string' || id === '') throw new ConfChangeDecodeError('bad node id');
    if (pair.length === 2) return { type: type as ConfChangeType, id };
    if (!isStoreId(store)) throw new ConfChangeDecodeError('bad store');
    return { type: type as ConfChangeType, id, store };
  });
  if (typeof w.x !== 'string') throw new ConfChangeDecodeError('context missing');
  const change: ConfChange = { changes, transition: w.t, context: fromHex(w.x) };
  if (w.r === undefined) return { change };
  if (!Array.isArray(w.r) || (w.r.length !== 5 && w.r.length !== 6) || typeof w.r[4] !== 'boolean') {
    throw new ConfChangeDecodeError('bad resulting configuration');
  }
  const result: ConfState = {
    voters: stringArray(w.r[0], 'voters'),
    learners: stringArray(w.r[1], 'learners'),
    votersOutgoing: stringArray(w.r[2], 'votersOutgoing'),
    learnersNext: stringArray(w.r[3], 'learnersNext'),
    autoLeave: w.r[4],
  };
  return { change, result: w.r.length === 6 ? { ...result, stores: storeBindings(w.r[5]) } : result };
}

function storeBindings(value: unknown): Record<string, string> {
  if (!Array.isArray(value)) throw new ConfChangeDecodeError('bad store bindings');
  const stores = Object.create(null) as Record<string, string>;
  for (const pair of value as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new ConfChangeDecodeError('bad store binding');
    const [id, store] = pair as [unknown, unknown];
    if (typeof id !== 'string' || id === '' || !isStoreId(store) || Object.hasOwn(stores, id)) {
      throw new ConfChangeDecodeError('bad store binding');
    }
    stores[id] = store;
  }
  return stores;
}
