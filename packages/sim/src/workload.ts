/**
 * Simulated clients: each runs one key-value operation at a time against any node, with a
 * per-attempt timeout and retries (same operation id, so the state machine's session
 * makes a retried write take effect at most once), and records the outcome in the history.
 * An operation is `fail` only when every attempt was refused outright; an attempt that
 * timed out may still take effect later, so giving up after one makes the operation `info`.
 */
import type { NodeId } from '@webraft/core';
import type { HistoryOp, KvInput } from './history.ts';
import type { KvCommand } from './kv.ts';
import type { Random } from './random.ts';
import type { ClientReply, ClientRequest } from './sim-node.ts';

export interface WorkloadOptions {
  /** Concurrent clients. @default 4 */
  readonly clients: number;
  /** Operations to issue in total. @default 300 */
  readonly ops: number;
  /** Number of distinct keys (fewer keys, more contention). @default 3 */
  readonly keys: number;
  /** An attempt with no answer is retried after this long. @default 400 */
  readonly attemptTimeoutMs: number;
  /** An operation is given up (`info`) after this long. @default 2000 */
  readonly opTimeoutMs: number;
  /** Pause between a client's operations, drawn from [0, thinkMs). @default 20 */
  readonly thinkMs: number;
}

export const defaultWorkload: WorkloadOptions = Object.freeze({
  clients: 4,
  ops: 300,
  keys: 3,
  attemptTimeoutMs: 400,
  opTimeoutMs: 2000,
  thinkMs: 20,
});

export interface WorkloadHost {
  readonly now: number;
  readonly random: Random;
  nodeIds(): readonly NodeId[];
  sendRequest(node: NodeId, request: ClientRequest): void;
  scheduleClient(at: number, client: string, attempt: number, kind: 'timeout' | 'retry' | 'next'): void;
}

interface Pending {
  readonly command: KvCommand;
  readonly read: 'log' | 'readIndex';
  readonly call: number;
  readonly deadline: number;
  attempt: number;
  /** Attempts that were neither answered nor refused: they may still take effect. */
  readonly outstanding: Set<number>;
}

interface Client {
  readonly id: string;
  seq: number;
  pending: Pending | undefined;
  leaderHint: NodeId;
  readonly seen: Map<string, string | null>;
  /** Generated clients start their next operation on their own; others wait for `submit`. */
  readonly generated: boolean;
}

export class Workload {
  readonly history: HistoryOp[] = [];
  private readonly clients = new Map<string, Client>();
  private issued = 0;
  private lastTime = 0;

  constructor(
    private readonly options: WorkloadOptions,
    private readonly host: WorkloadHost,
  ) {}

  /** Starts the configured clients (each begins after a short random pause). */
  start(): void {
    for (let i = 1; i <= this.options.clients; i++) {
      const id = `c${i}`;
      this.clients.set(id, this.newClient(id, true));
      this.host.scheduleClient(this.host.now + this.host.random.between(0, this.options.thinkMs), id, 0, 'next');
    }
  }

  /** True once every generated operation has completed. */
  get done(): boolean {
    if (this.issued < this.options.ops) return false;
    for (const c of this.clients.values()) if (c.pending) return false;
    return true;
  }

  get completed(): number {
    return this.history.length;
  }

  /** Runs one operation on a client of its own (a probe, or a user's request); returns the client id. */
  submit(input: KvInput, client = 'probe', read: 'log' | 'readIndex' = 'log', timeoutMs = this.options.opTimeoutMs): string {
    let c = this.clients.get(client);
    if (c === undefined) this.clients.set(client, (c = this.newClient(client, false)));
    if (c.pending) throw new Error(`client ${client} already has an operation in flight`);
    this.begin(c, input, read, timeoutMs);
    return client;
  }

  isIdle(client: string): boolean {
    return this.clients.get(client)?.pending === undefined;
  }

  onEvent(clientId: string, attempt: number, kind: 'timeout' | 'retry' | 'next'): void {
    const c = this.clients.get(clientId);
    if (c === undefined) return;
    if (kind === 'next') {
      if (c.pending === undefined && this.issued < this.options.ops) {
        this.issued++;
        const [input, read] = this.generate(c);
        this.begin(c, input, read, this.options.opTimeoutMs);
      }
      return;
    }
    const p = c.pending;
    if (p === undefined || p.attempt !== attempt) return;
    if (kind === 'timeout') c.leaderHint = '';
    this.retry(c, p);
  }

  onReply(request: ClientRequest, reply: ClientReply): void {
    const c = this.clients.get(request.client);
    const p = c?.pending;
    if (c === undefined || p === undefined || p.command.id !== request.command.id) return;
    if (reply.kind === 'refused') {
      p.outstanding.delete(request.attempt);
      c.leaderHint = reply.leader;
      if (request.attempt === p.attempt) {
        this.host.scheduleClient(this.host.now + this.host.random.between(1, 10), c.id, p.attempt, 'retry');
      }
      return;
    }
    const { input } = p.command;
    const result = reply.result;
    if (input.op === 'get') {
      c.seen.set(input.key, result.value);
      this.finish(c, p, 'ok', result.value);
    } else if (input.op === 'put') {
      c.seen.set(input.key, result.value);
      this.finish(c, p, 'ok', null);
    } else {
      c.seen.set(input.key, result.value);
      this.finish(c, p, result.applied ? 'ok' : 'fail', result.applied);
    }
  }

  /** Gives up every operation still in flight (at the end of a run): their outcome is unknown. */
  abandonAll(): void {
    for (const c of this.clients.values()) if (c.pending) this.finish(c, c.pending, 'info', null, false);
  }

  private newClient(id: string, generated: boolean): Client {
    return { id, seq: 0, pending: undefined, leaderHint: '', seen: new Map(), generated };
  }

  private generate(c: Client): [KvInput, 'log' | 'readIndex'] {
    const r = this.host.random;
    const key = `k${r.int(1, this.options.keys)}`;
    const roll = r.next();
    const value = `${c.id}.${c.seq + 1}`;
    if (roll < 0.4) return [{ op: 'get', key }, r.chance(0.5) ? 'readIndex' : 'log'];
    if (roll < 0.7) return [{ op: 'put', key, value }, 'log'];
    const expected = r.chance(0.8) ? (c.seen.get(key) ?? null) : null;
    return [{ op: 'cas', key, value, expected }, 'log'];
  }

  private begin(c: Client, input: KvInput, read: 'log' | 'readIndex', timeoutMs: number): void {
    c.seq++;
    const command: KvCommand = { id: `${c.id}:${c.seq}`, client: c.id, seq: c.seq, input };
    const now = this.host.now;
    c.pending = { command, read, call: this.stamp(), deadline: now + timeoutMs, attempt: 0, outstanding: new Set() };
    this.attempt(c, c.pending);
  }

  private attempt(c: Client, p: Pending): void {
    p.attempt++;
    p.outstanding.add(p.attempt);
    const ids = this.host.nodeIds();
    const r = this.host.random;
    const node = c.leaderHint !== '' && ids.includes(c.leaderHint) && r.chance(0.9) ? c.leaderHint : r.pick(ids);
    this.host.sendRequest(node, { client: c.id, attempt: p.attempt, command: p.command, read: p.read });
    this.host.scheduleClient(this.host.now + this.options.attemptTimeoutMs, c.id, p.attempt, 'timeout');
  }

  private retry(c: Client, p: Pending): void {
    if (this.host.now >= p.deadline) {
      this.finish(c, p, p.outstanding.size === 0 ? 'fail' : 'info', null);
      return;
    }
    this.attempt(c, p);
  }

  private finish(c: Client, p: Pending, type: HistoryOp['type'], output: HistoryOp['output'], next = true): void {
    c.pending = undefined;
    this.history.push({ client: c.id, input: p.command.input, output, call: p.call, return: this.stamp(), type });
    if (next && c.generated) {
      this.host.scheduleClient(this.host.now + this.host.random.between(0, this.options.thinkMs), c.id, 0, 'next');
    }
  }

  /** History time: virtual µs, strictly increasing, so equal instants keep their real order. */
  private stamp(): number {
    const t = Math.max(Math.round(this.host.now * 1000), this.lastTime + 1);
    this.lastTime = t;
    return t;
  }
}
