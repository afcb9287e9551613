/**
 * Simulated clients of the key-value store, each running one operation at a time against
 * any node (following leader hints) and recording every outcome in the history.
 *
 * Two kinds of client, as applications have them:
 * - **session clients** open an exactly-once session (`openSession`) and retry an operation
 *   whose outcome is unknown with the same sequence number, on any node;
 * - **plain clients** propose without a session, so they may retry only after a *definite*
 *   refusal; an unknown outcome ends the operation as `info`.
 * An operation is `fail` only when every attempt was definitely refused; such an operation
 * must never be applied anywhere, which the invariants check ("Definite Failure").
 */
import type { NodeId } from '@webraft/core';
import type { HistoryOp, KvInput } from './history.ts';
import type { KvCommand } from './kv.ts';
import type { Random } from './random.ts';
import type { ClientReply, ClientRequest, SessionReply } from './sim-node.ts';

export interface WorkloadOptions {
  /** Concurrent clients. @default 4 */
  readonly clients: number;
  /** Operations to issue in total. @default 300 */
  readonly ops: number;
  /** Number of distinct keys (fewer keys, more contention). @default 3 */
  readonly keys: number;
  /** A node's own timeout for one attempt. @default 400 */
  readonly attemptTimeoutMs: number;
  /** An operation is given up (`info`, unless all attempts were refused) after this long. @default 2000 */
  readonly opTimeoutMs: number;
  /** Pause between a client's operations, drawn from [0, thinkMs). @default 20 */
  readonly thinkMs: number;
  /** Share of generated clients that use exactly-once sessions. @default 0.5 */
  readonly sessionShare: number;
}

export const defaultWorkload: WorkloadOptions = Object.freeze({
  clients: 4,
  ops: 300,
  keys: 3,
  attemptTimeoutMs: 400,
  opTimeoutMs: 2000,
  thinkMs: 20,
  sessionShare: 0.5,
});

export interface WorkloadHost {
  readonly now: number;
  readonly random: Random;
  nodeIds(): readonly NodeId[];
  sendRequest(node: NodeId, request: ClientRequest): void;
  openSession(node: NodeId, client: string, timeoutMs: number): void;
  scheduleClient(at: number, client: string, attempt: number, kind: ClientEvent): void;
  /** An operation ended `fail`: it must never take effect. */
  definitelyFailed(opId: string): void;
}

export type ClientEvent = 'timeout' | 'retry' | 'next' | 'session' | 'sessionTimeout';

interface Pending {
  readonly command: KvCommand;
  readonly read: 'log' | 'readIndex';
  readonly call: number;
  readonly deadline: number;
  readonly seq: number;
  attempt: number;
  /** Attempts whose outcome is unknown: they may still take effect. */
  readonly unknown: Set<number>;
  /** Attempts still waiting for an answer. */
  readonly open: Set<number>;
}

interface Client {
  readonly id: string;
  seq: number;
  pending: Pending | undefined;
  leaderHint: NodeId;
  /** A node's own timeout for one attempt of this client's. */
  attemptTimeoutMs: number;
  readonly seen: Map<string, string | null>;
  /** Generated clients start their next operation on their own; others wait for `submit`. */
  readonly generated: boolean;
  readonly usesSession: boolean;
  /** The session's client id once opened. */
  session: string | undefined;
  /** Session-opening attempts so far (to tell a late answer from the current one). */
  sessionAttempt: number;
  /** An operation waiting for the session to open. */
  queued: { input: KvInput; read: 'log' | 'readIndex'; timeoutMs: number } | undefined;
}

export interface SubmitOptions {
  readonly client: string;
  readonly read?: 'log' | 'readIndex';
  /** The operation is given up after this long. @default the workload's `opTimeoutMs` */
  readonly timeoutMs?: number;
  /** A node's own timeout for one attempt. @default the workload's `attemptTimeoutMs` */
  readonly attemptTimeoutMs?: number;
  /** A new client uses an exactly-once session. */
  readonly session?: boolean;
  /** The node to send to first. */
  readonly via?: NodeId;
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
      const usesSession = this.host.random.chance(this.options.sessionShare);
      this.clients.set(id, this.newClient(id, true, usesSession));
      this.host.scheduleClient(this.host.now + this.host.random.between(0, this.options.thinkMs), id, 0, 'next');
    }
  }

  /** True once every generated operation has completed. */
  get done(): boolean {
    if (this.issued < this.options.ops) return false;
    for (const c of this.clients.values()) if (c.generated && (c.pending || c.queued)) return false;
    return true;
  }

  get completed(): number {
    return this.history.length;
  }

  /** Runs one operation on a client of its own (a probe, or a user's request). */
  submit(input: KvInput, options: SubmitOptions): void {
    const client = options.client;
    let c = this.clients.get(client);
    if (c === undefined) this.clients.set(client, (c = this.newClient(client, false, options.session ?? false)));
    if (options.via !== undefined && options.via !== '') c.leaderHint = options.via;
    if (options.attemptTimeoutMs !== undefined) c.attemptTimeoutMs = options.attemptTimeoutMs;
    if (c.pending || c.queued) throw new Error(`client ${client} already has an operation in flight`);
    this.begin(c, input, options.read ?? 'log', options.timeoutMs ?? this.options.opTimeoutMs);
  }

  isIdle(client: string): boolean {
    const c = this.clients.get(client);
    return c === undefined || (c.pending === undefined && c.queued === undefined);
  }

  onEvent(clientId: string, attempt: number, kind: ClientEvent): void {
    const c = this.clients.get(clientId);
    if (c === undefined) return;
    if (kind === 'next') {
      if (c.pending === undefined && c.queued === undefined && this.issued < this.options.ops) {
        this.issued++;
        const [input, read] = this.generate(c);
        this.begin(c, input, read, this.options.opTimeoutMs);
      }
      return;
    }
    if (kind === 'session' || kind === 'sessionTimeout') {
      if (c.session !== undefined || attempt !== c.sessionAttempt) return;
      // No answer at all: that node is down or cut off, so its hint is no better than any other.
      if (kind === 'sessionTimeout') c.leaderHint = '';
      this.requestSession(c);
      return;
    }
    const p = c.pending;
    if (p === undefined || p.attempt !== attempt) return;
    if (kind === 'timeout') {
      // No answer at all (the node is down or cut off): the attempt may still take effect.
      c.leaderHint = '';
      if (p.open.delete(attempt)) p.unknown.add(attempt);
    }
    this.next(c, p);
  }

  onReply(request: ClientRequest, reply: ClientReply): void {
    const c = this.clients.get(request.client);
    const p = c?.pending;
    if (c === undefined || p === undefined || p.command.id !== request.command.id) return;
    p.open.delete(request.attempt);
    if (reply.kind === 'refused') {
      c.leaderHint = reply.leader;
      if (reply.reason === 'sessionExpired') c.session = undefined;
      if (request.attempt === p.attempt) {
        this.host.scheduleClient(this.host.now + this.host.random.between(1, 10), c.id, p.attempt, 'retry');
      }
      return;
    }
    if (reply.kind === 'unknown') {
      // That node could not tell (down, cut off, no leader in sight): try elsewhere next.
      c.leaderHint = '';
      p.unknown.add(request.attempt);
      if (request.attempt === p.attempt) this.next(c, p);
      return;
    }
    const { input } = p.command;
    const { result } = reply;
    c.seen.set(input.key, result.value);
    if (input.op === 'get') this.finish(c, p, 'ok', result.value);
    else if (input.op === 'put') this.finish(c, p, 'ok', null);
    else if (result.applied) this.finish(c, p, 'ok', true);
    else this.finish(c, p, 'fail', { applied: false, value: result.value });
  }

  onSessionReply(clientId: string, reply: SessionReply): void {
    const c = this.clients.get(clientId);
    if (c === undefined || c.session !== undefined) return;
    if (reply.kind === 'session') {
      c.session = reply.clientId;
      c.seq = 0;
      const queued = c.queued;
      c.queued = undefined;
      if (queued !== undefined) this.begin(c, queued.input, queued.read, queued.timeoutMs);
      return;
    }
    if (reply.kind === 'refused') c.leaderHint = reply.leader;
    this.host.scheduleClient(this.host.now + this.host.random.between(5, 50), c.id, c.sessionAttempt, 'session');
  }

  /** Gives up every operation still in flight (at the end of a run): their outcome is unknown. */
  abandonAll(): void {
    for (const c of this.clients.values()) {
      if (c.pending) this.finish(c, c.pending, c.pending.unknown.size + c.pending.open.size === 0 ? 'fail' : 'info', null, false);
      c.queued = undefined;
    }
  }

  private newClient(id: string, generated: boolean, usesSession: boolean): Client {
    return {
      id,
      seq: 0,
      pending: undefined,
      leaderHint: '',
      attemptTimeoutMs: this.options.attemptTimeoutMs,
      seen: new Map(),
      generated,
      usesSession,
      session: undefined,
      sessionAttempt: 0,
      queued: undefined,
    };
  }

  private generate(c: Client): [KvInput, 'log' | 'readIndex'] {
    const r = this.host.random;
    const key = `k${r.int(1, this.options.keys)}`;
    const roll = r.next();
    const value = `${c.id}.${this.history.length + 1}.${r.int(0, 9999)}`;
    if (roll < 0.4) return [{ op: 'get', key }, r.chance(0.5) ? 'readIndex' : 'log'];
    if (roll < 0.7) return [{ op: 'put', key, value }, 'log'];
    const expected = r.chance(0.8) ? (c.seen.get(key) ?? null) : null;
    return [{ op: 'cas', key, value, expected }, 'log'];
  }

  private begin(c: Client, input: KvInput, read: 'log' | 'readIndex', timeoutMs: number): void {
    if (c.usesSession && c.session === undefined) {
      c.queued = { input, read, timeoutMs };
      this.requestSession(c);
      return;
    }
    c.seq++;
    const command: KvCommand = { id: `${c.id}:${c.session ?? '-'}:${c.seq}`, input };
    const now = this.host.now;
    c.pending = { command, read, seq: c.seq, call: this.stamp(), deadline: now + timeoutMs, attempt: 0, unknown: new Set(), open: new Set() };
    this.attempt(c, c.pending);
  }

  private requestSession(c: Client): void {
    c.sessionAttempt++;
    this.host.openSession(this.pickNode(c), c.id, this.options.attemptTimeoutMs);
    this.host.scheduleClient(this.host.now + this.options.attemptTimeoutMs + 50, c.id, c.sessionAttempt, 'sessionTimeout');
  }

  private pickNode(c: Client): NodeId {
    const ids = this.host.nodeIds();
    const r = this.host.random;
    return c.leaderHint !== '' && ids.includes(c.leaderHint) && r.chance(0.9) ? c.leaderHint : r.pick(ids);
  }

  private attempt(c: Client, p: Pending): void {
    p.attempt++;
    p.open.add(p.attempt);
    const session = c.usesSession && p.read === 'log' && c.session !== undefined ? { clientId: c.session, seq: p.seq } : undefined;
    this.host.sendRequest(this.pickNode(c), {
      client: c.id,
      attempt: p.attempt,
      command: p.command,
      read: p.read,
      timeoutMs: c.attemptTimeoutMs,
      ...(session !== undefined ? { session } : {}),
    });
    // The node answers within its own timeout unless it is down or cut off from the client.
    this.host.scheduleClient(this.host.now + c.attemptTimeoutMs * 1.5 + 20, c.id, p.attempt, 'timeout');
  }

  /** After an attempt ended without a result: retry, or end the operation. */
  private next(c: Client, p: Pending): void {
    const idempotent = p.read === 'readIndex';
    const mayRetry = idempotent || p.unknown.size === 0 || (c.usesSession && c.session !== undefined);
    if (this.host.now >= p.deadline || !mayRetry) {
      const type = p.unknown.size + p.open.size === 0 ? 'fail' : 'info';
      if (type === 'fail' && !idempotent) this.host.definitelyFailed(p.command.id);
      this.finish(c, p, type, null);
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
