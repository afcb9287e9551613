/**
 * Callers' requests on their way into the core: proposals (batched per cycle when asked),
 * session registrations, reads, membership changes and leadership transfers. Each request
 * gets its Promise here, from the table that settles it (Proposals, Reads, LeaderWatch); a
 * request made while no leader is known waits for one, within the caller's timeout.
 */
import type { ProposeOutcome } from '../raft/contract.ts';
import type { ConfChange, ConfChangeSingle, ConfState, NodeId } from '../raft/types.ts';
import { toError } from './applier.ts';
import { isClientIdValid, type EnvelopeCodec, type EnvelopeSession } from './envelope.ts';
import { AbortError, InvalidArgumentError, NotLeaderError, ProposalRefusedError, StoppedError, TimeoutError } from './errors.ts';
import type { LeaderWatch } from './leader-watch.ts';
import { roleIn } from './membership.ts';
import type { AnyStateMachine, CommandOf, ProposeOptions, RequestOptions, ResultOf } from './options.ts';
import { ProposalBatch } from './proposal-batch.ts';
import type { Proposals } from './proposals.ts';
import type { ReadyLoop } from './ready-loop.ts';
import type { Reads } from './reads.ts';
import type { CommandCodec } from './state-machine.ts';

export interface RequestParts<SM extends AnyStateMachine> {
  readonly loop: ReadyLoop;
  readonly stateMachine: SM;
  readonly commands: CommandCodec<CommandOf<SM>>;
  readonly envelopes: EnvelopeCodec;
  readonly proposals: Proposals;
  readonly reads: Reads;
  readonly leaders: LeaderWatch;
  readonly requestTimeoutMs: number;
  /** Whether requests made while no leader is known wait for one (else they are refused at once). */
  readonly waitsForLeader: boolean;
  readonly maxBatchCommands: number;
}

export class Requests<SM extends AnyStateMachine = AnyStateMachine> {
  readonly requestTimeoutMs: number;
  readonly #loop: ReadyLoop;
  readonly #parts: RequestParts<SM>;
  readonly #proposals: Proposals;
  readonly #envelopes: EnvelopeCodec;
  readonly #maxBatchCommands: number;
  /** Commands waiting for the next cycle to be proposed as batch entries (parallel arrays). */
  readonly #batch = new ProposalBatch();
  /** Reused for unbatched proposals, which are the hot path without `maxBatchCommands`. */
  readonly #oneSeq = [0];

  constructor(parts: RequestParts<SM>) {
    this.#parts = parts;
    this.#loop = parts.loop;
    this.#proposals = parts.proposals;
    this.#envelopes = parts.envelopes;
    this.#maxBatchCommands = parts.maxBatchCommands;
    this.requestTimeoutMs = parts.requestTimeoutMs;
  }

  /** See RaftNode.propose. */
  propose(command: CommandOf<SM>, options: ProposeOptions): Promise<ResultOf<SM>> {
    let payload: Uint8Array;
    try {
      payload = this.#parts.commands.encode(command);
    } catch (error) {
      const detail = error instanceof Error ? `: ${error.message}` : '';
      return Promise.reject(new InvalidArgumentError(`the command codec cannot encode this command${detail}`, { cause: error }));
    }
    const session = options.session;
    if (session !== undefined && (typeof session.clientId !== 'string' || !Number.isSafeInteger(session.seq) || session.seq < 1)) {
      return Promise.reject(new InvalidArgumentError('session needs a clientId string and a seq ≥ 1'));
    }
    // With a leader known (the common case) no closure is made for the wait.
    if (!this.#mustWaitForLeader()) return this.#submit('proposal', options, payload, session);
    return this.afterLeaderKnown(options, (remaining) => this.#submit('proposal', remaining, payload, session));
  }

  /** Registers a session; resolves with its client id. */
  registerSession(options: RequestOptions): Promise<string> {
    return this.afterLeaderKnown(options, (remaining) => this.#submit<string>('session registration', remaining, undefined, undefined));
  }

  read<T>(query: ((stateMachine: SM, index: number) => T | Promise<T>) | undefined, options: RequestOptions): Promise<T | number> {
    return this.afterLeaderKnown(options, (remaining) => this.#readNow(query, remaining));
  }

  #readNow<T>(query: ((stateMachine: SM, index: number) => T | Promise<T>) | undefined, options: RequestOptions): Promise<T | number> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    const loop = this.#loop;
    if (loop.lead === '') return Promise.reject(new NotLeaderError('', 'noLeader'));
    loop.metrics.reads++;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const stateMachine = this.#parts.stateMachine;
    const serve = query === undefined ? (index: number) => index : (index: number) => query(stateMachine, index);
    const promise = this.#parts.reads.add<T | number>(serve, loop.now + timeoutMs, timeoutMs, options.signal);
    loop.schedule();
    return promise;
  }

  transferLeadership(to: NodeId, options: RequestOptions): Promise<void> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    const loop = this.#loop;
    if (loop.lead === to) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const done = this.#parts.leaders.wait(`transfer of leadership to ${to}`, (leader) => leader === to, loop.now + timeoutMs, timeoutMs);
    loop.core.transferLeadership(to);
    loop.schedule();
    return done.then(() => undefined);
  }

  waitForLeader(options: RequestOptions): Promise<NodeId> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    const loop = this.#loop;
    if (loop.lead !== '') return Promise.resolve(loop.lead);
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return this.#parts.leaders.wait('waiting for a leader', (leader) => leader !== '', loop.now + timeoutMs, timeoutMs);
  }

  /**
   * Runs `request` now when a leader is known (or requests are refused without one), else once
   * one is, with what is left of the caller's timeout.
   */
  afterLeaderKnown<T>(options: RequestOptions, request: (remaining: RequestOptions) => Promise<T>): Promise<T> {
    if (!this.#mustWaitForLeader()) return request(options);
    const loop = this.#loop;
    const started = loop.now;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return this.waitForLeader({ ...options, timeoutMs }).then(
      () => request({ ...options, timeoutMs: Math.max(1, timeoutMs - (loop.now - started)) }),
      (error: unknown) => {
        if (!(error instanceof TimeoutError)) throw error;
        // Nothing was proposed: a definite refusal, with what the transport last said if it cannot reach its peers.
        const cause = loop.transportStatus?.error;
        const why = `none known after ${timeoutMs} ms${cause === undefined ? '' : `; the transport cannot reach its peers: ${cause.message}`}`;
        throw new NotLeaderError('', 'noLeader', why, cause === undefined ? undefined : { cause });
      },
    );
  }

  /** No leader known yet, and one may come: a node its own configuration left out has none to wait for. */
  #mustWaitForLeader(): boolean {
    const loop = this.#loop;
    if (loop.lead !== '' || !this.#parts.waitsForLeader || loop.state !== 'running') return false;
    const conf = loop.core.status().conf;
    return conf.voters.length === 0 || roleIn(conf, loop.id) !== undefined;
  }

  /** `payload` undefined: a session registration. */
  #submit<T>(what: string, options: RequestOptions, payload: Uint8Array | undefined, session: EnvelopeSession | undefined): Promise<T> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (session !== undefined && !isClientIdValid(session.clientId)) {
      return Promise.reject(new InvalidArgumentError('session clientId must be 1..255 UTF-8 bytes'));
    }
    const loop = this.#loop;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const promise = this.#proposals.add<T>(what, loop.now + timeoutMs, timeoutMs, options.signal);
    const seq = this.#proposals.lastSeq;
    loop.metrics.proposals++;
    if (this.#maxBatchCommands > 1) {
      this.#batch.push(seq, payload, session);
    } else {
      this.#fenceEnvelopes();
      this.#oneSeq[0] = seq;
      this.#proposeEntry(this.#envelopes.encode(seq, payload, session), this.#oneSeq, 0, 1);
    }
    loop.schedule();
    return promise;
  }

  /**
   * At the start of a ready cycle: proposes the commands collected since the last one, up to
   * `maxBatchCommands` per entry, and starts one ReadIndex round for the reads asked meanwhile.
   */
  flush(): void {
    if (this.#batch.length > 0) {
      this.#fenceEnvelopes();
      this.#batch.drain(this.#maxBatchCommands, this.#envelopes, (data, seqs, start, end) => this.#proposeEntry(data, seqs, start, end));
    }
    const reads = this.#parts.reads;
    if (reads.hasBatch) reads.flush((context) => this.#loop.core.readIndex(context));
  }

  /** Drops the commands not proposed yet (their callers are rejected by Proposals). */
  clearBatch(): void {
    this.#batch.clear();
  }

  /** What the next envelopes tell a leader about this node's proposals (see ForwardedProposals). */
  #fenceEnvelopes(): void {
    this.#envelopes.floor = this.#proposals.floor;
    this.#envelopes.stamp = this.#loop.commit;
  }

  /** Hands one entry to the core and settles the callers of `seqs[start..end)` if it refuses. */
  #proposeEntry(data: Uint8Array, seqs: readonly number[], start: number, end: number): void {
    let outcome: ProposeOutcome;
    try {
      outcome = this.#loop.core.propose(data);
    } catch (error) {
      // A core that throws here has a bug; the callers learn of it, the node goes on.
      for (let i = start; i < end; i++) this.#proposals.fail(seqs[i]!, toError(error));
      return;
    }
    for (let i = start; i < end; i++) this.#settleOutcome(seqs[i]!, outcome);
  }

  changeMembership(change: ConfChangeSingle, options: RequestOptions): Promise<ConfState> {
    return this.proposeMembership({ changes: [change], transition: 'auto', context: new Uint8Array(0) }, options);
  }

  proposeMembership(change: ConfChange, options: RequestOptions): Promise<ConfState> {
    const refused = this.refuse(options);
    if (refused !== undefined) return refused;
    if (!Array.isArray(change.changes) || change.changes.some((c) => typeof c?.id !== 'string' || c.id === '')) {
      return Promise.reject(new InvalidArgumentError('member id must be a non-empty string'));
    }
    const loop = this.#loop;
    // Only a leader learns the index of its entry, which is how the caller is found again.
    // Ask the core itself: the role seen in the last Ready may be a step behind.
    const { role, lead } = loop.core.status();
    if (role !== 'leader') return Promise.reject(new NotLeaderError(lead));
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const what = change.changes.map((c) => `${c.type} ${c.id}`).join(', ') || 'leave joint';
    const promise = this.#proposals.add<ConfState>(`membership change (${what})`, loop.now + timeoutMs, timeoutMs, options.signal);
    const seq = this.#proposals.lastSeq;
    const outcome = loop.core.proposeConfChange(change);
    if (outcome.ok && !('index' in outcome)) this.#proposals.fail(seq, new NotLeaderError(outcome.forwardedTo));
    else this.#settleOutcome(seq, outcome);
    loop.schedule();
    return promise;
  }

  #settleOutcome(seq: number, outcome: ProposeOutcome): void {
    if (outcome.ok) {
      if ('index' in outcome) this.#proposals.appended(seq, outcome.index, outcome.term);
      return;
    }
    this.#loop.metrics.proposalsRefused++;
    const { reason, leader, detail } = outcome;
    const leadership = reason === 'notLeader' || reason === 'noLeader' || reason === 'transferring';
    this.#proposals.fail(seq, leadership ? new NotLeaderError(leader, reason) : new ProposalRefusedError(reason, detail));
  }

  /** A rejected Promise when the node cannot take requests now or the signal already fired. */
  refuse(options: RequestOptions): Promise<never> | undefined {
    const loop = this.#loop;
    if (loop.state !== 'running') {
      return Promise.reject(new StoppedError(loop.state === 'created' ? `node ${loop.id} is not started` : `node ${loop.id} is ${loop.state}`));
    }
    if (options.signal?.aborted === true) return Promise.reject(new AbortError(options.signal.reason));
    return undefined;
  }
}
