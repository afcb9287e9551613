/**
 * Builds a message from `key=value` pairs for the `inject-msg` command, starting from
 * well-formed defaults for its type, so a script can forge exactly one bad field (a
 * non-member sender, a negative index, an unknown type) and watch the core refuse it.
 */
import type { Entry, Message } from '../../src/raft/types.ts';
import { ScenarioError } from './args.ts';

const encoder = new TextEncoder();

const defaults: Record<string, Record<string, unknown>> = {
  vote: { pre: false, lastLogIndex: 0, lastLogTerm: 0, transfer: false },
  voteResp: { pre: false, reject: false, storeTag: 0 },
  app: { prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 },
  appResp: { index: 0, reject: false, hintIndex: 0, hintTerm: 0, storeTag: 0 },
  heartbeat: { commit: 0, context: new Uint8Array() },
  heartbeatResp: { context: new Uint8Array(), storeTag: 0 },
  snap: {
    meta: { index: 0, term: 0, conf: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
    offset: 0,
    data: new Uint8Array(),
    done: true,
    totalBytes: 0,
  },
  snapResp: { index: 0, offset: 0, reject: false, done: false },
  timeoutNow: {},
  prop: { entries: [] },
  readIndex: { context: new Uint8Array() },
  readIndexResp: { index: 0, context: new Uint8Array(), reject: false },
  transferLeader: { target: '' },
};

/** `entries=2/4:x,2/5:y` (term/index:data; `noop` for a no-op entry). */
function parseEntries(value: string): Entry[] {
  if (value === '') return [];
  return value.split(',').map((spec) => {
    const m = /^(-?\d+)\/(-?\d+):(.*)$/.exec(spec);
    if (m === null) throw new ScenarioError(`bad entry ${spec}: want term/index:data`);
    const noop = m[3] === 'noop';
    return { term: Number(m[1]), index: Number(m[2]), type: noop ? 'noop' : 'normal', data: encoder.encode(noop ? '' : m[3]) };
  });
}

/** `meta=term/index` with `voters=1,2,3` for the configuration. */
function parseMeta(value: string, voters: string): unknown {
  const m = /^(-?\d+)\/(-?\d+)$/.exec(value);
  if (m === null) throw new ScenarioError(`bad meta ${value}: want term/index`);
  const conf = { voters: voters.split(',').filter((v) => v !== ''), learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  return { term: Number(m[1]), index: Number(m[2]), conf };
}

function parseValue(key: string, value: string): unknown {
  if (key === 'entries') return parseEntries(value);
  if (key === 'context' || key === 'data') return encoder.encode(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (['from', 'to', 'target', 'type'].includes(key)) return value;
  const n = Number(value);
  return value !== '' && !Number.isNaN(n) ? n : value;
}

export function buildMessage(keys: ReadonlyMap<string, string>): Message {
  const type = keys.get('type');
  if (type === undefined) throw new ScenarioError('inject-msg needs type=');
  const msg: Record<string, unknown> = { from: '', to: '', term: 0, ...(defaults[type] ?? {}), type };
  for (const [k, v] of keys) {
    if (k === 'voters' || k === 'at') continue;
    msg[k] = k === 'meta' ? parseMeta(v, keys.get('voters') ?? '') : parseValue(k, v);
  }
  // Deliberately unchecked: the point is to hand the core whatever a hostile peer could send.
  return msg as unknown as Message;
}
