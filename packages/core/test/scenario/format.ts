/**
 * Deterministic one-line renderings of the core's values for scenario output. Log positions
 * are written `term/index` throughout (as in etcd's interaction tests).
 */
import type { Ready, RaftStatus } from '../../src/raft/contract.ts';
import type { ConfChange, ConfState, Entry, HardState, Message, Snapshot, SnapshotMeta } from '../../src/raft/types.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Printable UTF-8 as text, anything else as hex. */
export function bytes(data: Uint8Array): string {
  if (data.length === 0) return '';
  try {
    const text = decoder.decode(data);
    if (/^[\x21-\x7e]+$/.test(text)) return text;
  } catch {
    // not UTF-8: fall through to hex
  }
  return `0x${Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Set by the harness once it knows how the core encodes conf changes. */
export type ConfDecoder = (data: Uint8Array) => ConfChange;

export function confChange(cc: ConfChange): string {
  const parts = cc.changes.map((c) => (c.type === 'addVoter' ? 'v' : c.type === 'addLearner' ? 'l' : 'r') + c.id);
  if (parts.length === 0) parts.push('leave-joint');
  if (cc.transition !== 'auto') parts.push(`transition=${cc.transition}`);
  return parts.join(' ');
}

export function entry(e: Entry, decodeConf?: ConfDecoder): string {
  const pos = `${e.term}/${e.index}`;
  if (e.type === 'noop') return `${pos} noop`;
  if (e.type === 'config') {
    if (decodeConf === undefined) return `${pos} conf ${bytes(e.data)}`;
    try {
      return `${pos} conf(${confChange(decodeConf(e.data))})`;
    } catch (err) {
      return `${pos} conf(undecodable: ${(err as Error).message})`;
    }
  }
  return `${pos} ${e.data.length === 0 ? '""' : bytes(e.data)}`;
}

export function entries(es: readonly Entry[], decodeConf?: ConfDecoder): string {
  return `[${es.map((e) => entry(e, decodeConf)).join(', ')}]`;
}

export function confState(c: ConfState): string {
  const parts = [`voters=(${c.voters.join(' ')})`];
  if (c.votersOutgoing.length > 0) parts[0] += `&&(${c.votersOutgoing.join(' ')})`;
  if (c.learners.length > 0) parts.push(`learners=(${c.learners.join(' ')})`);
  if (c.learnersNext.length > 0) parts.push(`learners_next=(${c.learnersNext.join(' ')})`);
  if (c.votersOutgoing.length > 0 && c.autoLeave) parts.push('autoleave');
  return parts.join(' ');
}

export function hardState(h: HardState): string {
  return `term=${h.term} vote=${h.vote === '' ? '-' : h.vote} commit=${h.commit}`;
}

export function snapshotMeta(m: SnapshotMeta): string {
  return `${m.term}/${m.index} ${confState(m.conf)}`;
}

export function snapshot(s: Snapshot): string {
  return `${snapshotMeta(s.meta)} data=${s.data.length}B`;
}

function ctx(data: Uint8Array): string {
  return data.length > 0 ? ` ctx=${bytes(data)}` : '';
}

/** The name `deliver-msgs type=` filters on: `prevote`/`prevoteResp` for PreVote. */
export function messageKind(m: Message): string {
  if (m.type === 'vote') return m.pre ? 'prevote' : 'vote';
  if (m.type === 'voteResp') return m.pre ? 'prevoteResp' : 'voteResp';
  return m.type;
}

export function message(m: Message, decodeConf?: ConfDecoder): string {
  const head = `${m.from}->${m.to} ${messageKind(m)} term=${m.term}`;
  switch (m.type) {
    case 'vote':
      return `${head} last=${m.lastLogTerm}/${m.lastLogIndex}${m.transfer ? ' transfer' : ''}`;
    case 'voteResp':
      return `${head} ${m.reject ? 'rejected' : 'granted'}`;
    case 'app': {
      const es = m.entries.length > 0 ? ` entries=${entries(m.entries, decodeConf)}` : '';
      return `${head} prev=${m.prevLogTerm}/${m.prevLogIndex} commit=${m.commit}${es}`;
    }
    case 'appResp':
      return m.reject
        ? `${head} reject index=${m.index} hint=${m.hintTerm}/${m.hintIndex}`
        : `${head} index=${m.index}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${ctx(m.context)}`;
    case 'heartbeatResp':
      return `${head}${ctx(m.context)}`;
    case 'snap':
      return (
        `${head} snap=${snapshotMeta(m.meta)} offset=${m.offset} len=${m.data.length} total=${m.totalBytes}` +
        (m.done ? ' done' : '')
      );
    case 'snapResp':
      return `${head} index=${m.index} offset=${m.offset}${m.reject ? ' reject' : ''}${m.done ? ' done' : ''}`;
    case 'timeoutNow':
      return head;
    case 'prop':
      return `${head} entries=${entries(m.entries, decodeConf)}`;
    case 'readIndex':
      return `${head}${ctx(m.context)}`;
    case 'readIndexResp':
      return `${head} index=${m.index}${ctx(m.context)}${m.reject ? ' reject' : ''}`;
    case 'transferLeader':
      return `${head} target=${m.target}`;
    default: {
      const unknown: { type?: unknown } = m;
      return `${head} <unknown type ${String(unknown.type)}>`;
    }
  }
}

/** The Ready, one section per non-empty field, indented for nesting under a heading. */
export function ready(r: Ready, decodeConf?: ConfDecoder): string[] {
  const out: string[] = [];
  if (r.softState !== undefined) {
    out.push(`SoftState: role=${r.softState.role} lead=${r.softState.lead === '' ? '-' : r.softState.lead}`);
  }
  if (r.hardState !== undefined) out.push(`HardState: ${hardState(r.hardState)}`);
  if (r.seq !== 0) out.push(`seq=${r.seq}`);
  const section = (title: string, lines: readonly string[]) => {
    if (lines.length === 0) return;
    out.push(`${title}:`);
    for (const l of lines) out.push(`  ${l}`);
  };
  section('Entries', r.entries.map((e) => entry(e, decodeConf)));
  if (r.snapshot !== undefined) out.push(`Snapshot: ${snapshot(r.snapshot)}`);
  section('Messages', r.messages.map((m) => message(m, decodeConf)));
  section('MessagesAfterPersist', r.messagesAfterPersist.map((m) => message(m, decodeConf)));
  section('CommittedEntries', r.committedEntries.map((e) => entry(e, decodeConf)));
  section('ReadStates', r.readStates.map((s) => `index=${s.index}${ctx(s.context)}`));
  section('ConfStates', r.confStates.map(confState));
  return out;
}

export function status(s: RaftStatus): string[] {
  const out = [
    `${s.id} ${s.role} term=${s.term} vote=${s.vote === '' ? '-' : s.vote} lead=${s.lead === '' ? '-' : s.lead}` +
      ` commit=${s.commit} applied=${s.applied}`,
    `log: first=${s.firstIndex} last=${s.lastTerm}/${s.lastIndex}`,
    `conf: ${confState(s.conf)}`,
  ];
  if (s.leadTransferee !== '') out.push(`transferring to ${s.leadTransferee}`);
  if (s.progress !== undefined) {
    for (const id of Object.keys(s.progress).sort(compareIds)) {
      const p = s.progress[id]!;
      out.push(
        `progress ${id}: ${p.state} match=${p.match} next=${p.next}` +
          (p.inflight > 0 ? ` inflight=${p.inflight}` : '') +
          (p.recentActive ? ' active' : '') +
          (p.learner ? ' learner' : ''),
      );
    }
  }
  return out;
}

/** Numeric ids in numeric order, others after them in string order. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
