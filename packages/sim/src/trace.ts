/** A readable trace of a run: per step, what happened and each node's role, term, commit and last index. */
import type { Message } from '@webraft/core';
import type { ClientRequest } from './sim-node.ts';

export interface NodeRow {
  readonly id: string;
  readonly role: string;
  readonly term: number;
  readonly commit: number;
  readonly lastIndex: number;
}

export interface TraceStep {
  readonly step: number;
  /** Virtual ms. */
  readonly time: number;
  /** Faults, deliveries, client traffic and state changes of this step. */
  readonly what: string;
  readonly nodes: readonly NodeRow[];
}

export function describeMessage(m: Message): string {
  const head = `${m.type} ${m.from}→${m.to} t${m.term}`;
  switch (m.type) {
    case 'vote':
      return `${head}${m.pre ? ' pre' : ''} last ${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'voteResp':
      return `${head}${m.pre ? ' pre' : ''} ${m.reject ? 'reject' : 'grant'}`;
    case 'app':
      return `${head} prev ${m.prevLogIndex}/${m.prevLogTerm} +${m.entries.length} commit ${m.commit}`;
    case 'appResp':
      return `${head} ${m.reject ? `reject ${m.index} hint ${m.hintIndex}/${m.hintTerm}` : `ok ${m.index}`}`;
    case 'heartbeat':
      return `${head} commit ${m.commit}${m.context.length > 0 ? ' +read' : ''}`;
    case 'snap':
      return `${head} snapshot ${m.meta.index}/${m.meta.term} @${m.offset}${m.done ? ' done' : ''}`;
    case 'snapResp':
      return `${head} ${m.index} @${m.offset}${m.reject ? ' reject' : ''}`;
    case 'readIndexResp':
      return `${head} index ${m.index}${m.reject ? ' reject' : ''}`;
    case 'transferLeader':
      return `${head} target ${m.target}`;
    case 'prop':
      return `${head} +${m.entries.length}`;
    default:
      return head;
  }
}

/** Renders steps as text tables a person can follow. */
export function formatTrace(steps: readonly TraceStep[]): string {
  const out: string[] = [];
  for (const s of steps) {
    out.push(`step ${s.step}  t=${s.time.toFixed(3)}ms  ${s.what}`);
    out.push('    node  role          term  commit  last');
    for (const n of s.nodes) {
      out.push(`    ${n.id.padEnd(5)} ${n.role.padEnd(13)} ${String(n.term).padStart(4)}  ${String(n.commit).padStart(6)}  ${String(n.lastIndex).padStart(4)}`);
    }
  }
  return out.join('\n');
}

/** A client request as a trace line shows it. */
export function describeInput(request: ClientRequest): string {
  const i = request.command.input;
  const args = i.op === 'get' ? `${i.key} (${request.read})` : i.op === 'put' ? `${i.key}=${i.value}` : `${i.key} ${i.expected}→${i.value}`;
  return `${request.command.id} ${i.op} ${args}${request.session ? ` [session ${request.session.clientId}#${request.session.seq}]` : ''}`;
}

/** An error with its chain of causes, on one line. */
export function describeError(error: Error): string {
  const cause = error.cause instanceof Error ? ` (${describeError(error.cause)})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
