/**
 * This node's own join, leave or readmission request: asks a member (any; a follower forwards
 * to its leader), follows leader hints, moves on to another member when one stays silent, and
 * backs off between attempts. Done when this node's configuration shows the wish fulfilled (or,
 * for a leave, when the leader says so: a removed node may never hear of its removal). A
 * request names this node's store (its nonce), so a retry, also after a restart, is the same
 * request.
 */
import type { RaftStatus } from '../raft/contract.ts';
import { storeOf } from '../raft/confchange.ts';
import type { ConfState, MemberResponse, MemberWish, NodeId } from '../raft/types.ts';
import { AbortError, JoinRefusedError, TimeoutError } from './errors.ts';
import { mostCaughtUpVoter, roleIn, sameBytes, storeNonce } from './membership.ts';
import type { ReadyLoop } from './ready-loop.ts';

export interface JoinOptions {
  /** Members to ask, tried in order (the leader hint of an answer goes first). */
  readonly via: readonly NodeId[];
  /** Stay a learner (a non-voting replica) instead of becoming a voter. @default false */
  readonly learner?: boolean;
  /** @default the node's `requestTimeoutMs` */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

interface Request {
  readonly wish: MemberWish;
  nonce: Uint8Array;
  readonly via: readonly NodeId[];
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (conf: ConfState) => void;
  readonly reject: (error: Error) => void;
  detach: (() => void) | undefined;
  /** Next member of `via` to try when no better target is known. */
  cursor: number;
  /** Where to ask next: the last member that answered, or a leader hint. */
  target: NodeId | undefined;
  /** The member asked last, until it answers. */
  awaiting: NodeId | undefined;
  nextAt: number;
  backoffMs: number;
}

const NONCE_BYTES = 16;

export class MemberClient {
  #request: Request | undefined;

  readonly #loop: ReadyLoop;
  /** Pause between attempts while answers come; doubled (up to 10×) while members stay silent. */
  readonly #retryMs: number;
  readonly #random: () => number;

  /** @param loop the node's id, store identity, core and sends */
  constructor(loop: ReadyLoop, retryMs: number, random: () => number) {
    this.#loop = loop;
    this.#retryMs = retryMs;
    this.#random = random;
  }

  get busy(): boolean {
    return this.#request !== undefined;
  }

  /** Starts a request; the caller has checked that none is under way. */
  start(wish: MemberWish, via: readonly NodeId[], now: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<ConfState> {
    const store = this.#loop.store;
    let nonce: Uint8Array;
    if (store !== undefined) {
      nonce = storeNonce(store);
    } else {
      nonce = new Uint8Array(NONCE_BYTES);
      for (let i = 0; i < nonce.length; i++) nonce[i] = Math.floor(this.#random() * 256);
    }
    const promise = new Promise<ConfState>((resolve, reject) => {
      this.#request = {
        wish,
        nonce,
        via,
        deadline: now + timeoutMs,
        timeoutMs,
        resolve,
        reject,
        detach: undefined,
        cursor: 0,
        target: undefined,
        awaiting: undefined,
        nextAt: now,
        backoffMs: this.#retryMs,
      };
    });
    const request = this.#request!;
    if (signal !== undefined) {
      const onAbort = (): void => this.#finish(request, new AbortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      request.detach = () => signal.removeEventListener('abort', onAbort);
    }
    this.tick(now);
    return promise;
  }

  tick(now: number): void {
    const request = this.#request;
    if (request === undefined || this.#checkDone(request)) return;
    if (now >= request.deadline) {
      this.#finish(request, new TimeoutError(describeWish(request.wish), request.timeoutMs));
      return;
    }
    if (now < request.nextAt) return;
    if (request.awaiting !== undefined) {
      // Silence: that member is down or cut off; try the next one, more slowly.
      request.awaiting = undefined;
      request.target = undefined;
      request.cursor++;
      request.backoffMs = Math.min(request.backoffMs * 2, this.#retryMs * 10);
    }
    this.#attempt(request, now);
  }

  /** An answer addressed to this node. */
  receive(answer: MemberResponse, now: number): void {
    const request = this.#request;
    if (request === undefined || answer.subject !== this.#loop.id || !sameBytes(answer.nonce, request.nonce)) return;
    request.awaiting = undefined;
    request.backoffMs = this.#retryMs;
    request.nextAt = now + this.#retryMs;
    switch (answer.status) {
      case 'done':
        if (request.wish === 'leave') {
          this.#finish(request, undefined);
          return;
        }
        request.target = answer.from; // applied on the leader; wait until it is applied here too
        break;
      case 'pending':
        request.target = answer.from;
        break;
      case 'notLeader':
        if (answer.leader !== '' && answer.leader !== this.#loop.id && answer.leader !== answer.from) {
          request.target = answer.leader;
          request.nextAt = now;
        } else {
          request.target = undefined;
          request.cursor++;
        }
        break;
      case 'idTaken': {
        // A node its own configuration admits holds the id, whatever a lagging leader may say.
        const conf = this.#loop.core.status().conf;
        if (roleIn(conf, this.#loop.id) !== undefined && (conf.stores === undefined || storeOf(conf, this.#loop.id) === this.#loop.store)) break;
        this.#finish(request, new JoinRefusedError(this.#loop.id, answer.from));
        return;
      }
    }
    this.#checkDone(request);
  }

  failAll(error: Error): void {
    if (this.#request !== undefined) this.#finish(this.#request, error);
  }

  #attempt(request: Request, now: number): void {
    const status = this.#loop.core.status();
    request.nextAt = now + request.backoffMs;
    if (request.wish === 'leave' && status.role === 'leader') {
      // Hand leadership to the most caught-up voter; the next leader then removes this node.
      const successor = mostCaughtUpVoter(status, this.#loop.id);
      if (successor !== undefined) this.#loop.core.transferLeadership(successor);
      return;
    }
    const to = this.#targetOf(request, status);
    if (to === undefined) return;
    request.awaiting = to;
    this.#loop.send({ type: 'member', from: this.#loop.id, to, term: status.term, subject: this.#loop.id, nonce: request.nonce, wish: request.wish });
  }

  #targetOf(request: Request, status: RaftStatus): NodeId | undefined {
    if (request.target !== undefined) return request.target;
    if (status.lead !== '' && status.lead !== this.#loop.id) return status.lead;
    const via = request.via.filter((id) => id !== this.#loop.id);
    return via.length === 0 ? undefined : via[request.cursor % via.length];
  }

  /** Settles the request when this node's configuration already shows the wish fulfilled. */
  #checkDone(request: Request): boolean {
    const conf = this.#loop.core.status().conf;
    const role = roleIn(conf, this.#loop.id);
    const admitted = conf.stores === undefined || storeOf(conf, this.#loop.id) === this.#loop.store;
    const done =
      request.wish === 'leave'
        ? role === undefined && conf.voters.length > 0
        : request.wish === 'rebind'
          ? role !== undefined && admitted
          : request.wish === 'voter'
            ? conf.voters.includes(this.#loop.id) && conf.votersOutgoing.length === 0 && admitted
            : role !== undefined && admitted;
    if (done) this.#finish(request, undefined);
    return done;
  }

  #finish(request: Request, error: Error | undefined): void {
    if (this.#request !== request) return;
    this.#request = undefined;
    request.detach?.();
    if (error === undefined) request.resolve(this.#loop.core.status().conf);
    else request.reject(error);
  }
}

function describeWish(wish: MemberWish): string {
  if (wish === 'leave') return 'leaving the cluster';
  return wish === 'rebind' ? 'readmission to the cluster' : `joining the cluster as a ${wish}`;
}
