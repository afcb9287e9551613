/**
 * This node's place in the membership: founding a new cluster with its fellow founders, its own
 * join, leave and rebind requests, the join and leave requests of other nodes (a leader decides,
 * a follower forwards), and the membership changes callers ask for.
 */
import { storeOf } from '../raft/confchange.ts';
import type { ConfState, FoundRequest, FoundResponse, MemberRequest, MemberResponse, MemberWish, NodeId, Rejection } from '../raft/types.ts';
import { toError } from './applier.ts';
import { InvalidArgumentError, LostStateError } from './errors.ts';
import { Founding } from './founding.ts';
import { MemberClient, type JoinOptions } from './join.ts';
import type { ConfWatch } from './leader-watch.ts';
import { MemberDesk, checkMemberMessage, roleIn } from './membership.ts';
import type { RequestOptions } from './options.ts';
import type { ReadyLoop } from './ready-loop.ts';
import type { Requests } from './requests.ts';

export interface MemberParts {
  readonly loop: ReadyLoop;
  readonly requests: Requests;
  readonly confs: ConfWatch;
  readonly tickMs: number;
  readonly random: () => number;
  /** The state machine's initial image, as a snapshot at index 0 carries it. */
  readonly initialImage: () => Promise<Uint8Array>;
}

export class Members {
  /** Join and leave requests of other nodes (leader: decides; follower: forwards). */
  readonly #desk: MemberDesk;
  /** This node's own join or leave request. */
  readonly #client: MemberClient;
  readonly #loop: ReadyLoop;
  readonly #parts: MemberParts;
  /** Set while this node looks for its fellow founders (created with `members` on an empty store). */
  #founding: Founding | undefined;
  /** The lost-state error was reported for this life. */
  #reportedForgotten = false;
  /** `campaign()` was called before the founders settled the first configuration. */
  #campaignWhenSettled = false;

  constructor(parts: MemberParts) {
    this.#parts = parts;
    const loop = parts.loop;
    this.#loop = loop;
    this.#desk = new MemberDesk(loop);
    this.#client = new MemberClient(loop, parts.tickMs * 4, parts.random);
  }

  /** Looks for the other founders of a new cluster: `members` (this node among them), on a brand-new store. */
  found(store: string, members: readonly NodeId[]): void {
    const loop = this.#loop;
    this.#founding = new Founding({
      id: loop.id,
      store,
      members,
      conf: () => loop.core.status().conf,
      send: (message) => loop.send(message),
      settle: (conf) => void this.#settleFounding(conf),
      forgotten: () => this.#reportForgotten(),
    });
  }

  /** The founders settled the first configuration: it reaches the core as a snapshot at index 0. */
  async #settleFounding(conf: ConfState): Promise<void> {
    const data = await this.#parts.initialImage();
    const loop = this.#loop;
    if (loop.state !== 'running') return;
    const status = loop.core.status();
    // A leader may have reached this node meanwhile: then it has its configuration already.
    if (status.conf.voters.length > 0 || status.lastIndex > 0) return;
    loop.core.bootstrap({ meta: { index: 0, term: 0, conf }, data });
    if (this.#campaignWhenSettled) loop.core.campaign();
    loop.schedule();
  }

  /** Reports, once per life, that this node's configuration does not admit its store. */
  #reportForgotten(): void {
    const loop = this.#loop;
    if (this.#reportedForgotten || loop.store === undefined) return;
    this.#reportedForgotten = true;
    loop.emitError(new LostStateError(loop.id, loop.store));
  }

  /**
   * A member whose configuration binds it to another store (it lost its state) or to none (it
   * was added by hand) asks to be bound to its store; it does not vote until then.
   */
  #maybeRebind(): void {
    const loop = this.#loop;
    if (loop.store === undefined || this.#client.busy) return;
    const conf = loop.core.status().conf;
    if (conf.stores === undefined || roleIn(conf, loop.id) === undefined || storeOf(conf, loop.id) === loop.store) return;
    if (storeOf(conf, loop.id) !== undefined) this.#reportForgotten();
    this.#client.start('rebind', conf.voters, loop.now, this.#parts.requests.requestTimeoutMs, undefined).catch(() => undefined);
  }

  /** The node started: a founder asks the others at once. */
  start(): void {
    this.#founding?.start(this.#loop.term);
  }

  tick(): void {
    const loop = this.#loop;
    this.#desk.tick();
    this.#client.tick(loop.now);
    this.#founding?.tick(loop.term);
    this.#maybeRebind();
  }

  /** See RaftNode.campaign. */
  campaign(): void {
    const loop = this.#loop;
    if (loop.state !== 'running') return;
    if (this.#founding !== undefined && loop.core.status().conf.voters.length === 0) {
      this.#campaignWhenSettled = true;
      return;
    }
    loop.core.campaign();
    loop.schedule();
  }

  /** See RaftNode.addMember. */
  addMember(id: NodeId, options: RequestOptions & { readonly learner?: boolean }): Promise<ConfState> {
    const requests = this.#parts.requests;
    if (options.learner === true) return requests.changeMembership({ type: 'addLearner', id }, options);
    const loop = this.#loop;
    const conf = loop.core.status().conf;
    if (conf.stores === undefined || storeOf(conf, id) !== undefined || conf.voters.includes(id)) {
      return requests.changeMembership({ type: 'addVoter', id }, options);
    }
    const started = loop.now;
    const timeoutMs = options.timeoutMs ?? requests.requestTimeoutMs;
    const added = roleIn(conf, id) === 'learner' ? Promise.resolve(conf) : requests.changeMembership({ type: 'addLearner', id }, options);
    return added.then((after) => {
      if (after.voters.includes(id)) return after;
      this.#desk.promoteWhenReady(id);
      const remaining = Math.max(1, timeoutMs - (loop.now - started));
      return this.#parts.confs.wait(`adding ${id} as a voter`, (c) => c.voters.includes(id), loop.now + remaining, remaining);
    });
  }

  /** See RaftNode.join. */
  join(options: JoinOptions): Promise<ConfState> {
    const refused = this.#parts.requests.refuse(options);
    if (refused !== undefined) return refused;
    if (!Array.isArray(options.via) || options.via.length === 0 || options.via.some((id) => typeof id !== 'string' || id === '')) {
      return Promise.reject(new InvalidArgumentError('join: via must list at least one member id'));
    }
    const loop = this.#loop;
    const conf = loop.core.status().conf;
    const role = roleIn(conf, loop.id);
    if (role === 'voter' || (role === 'learner' && options.learner === true)) return Promise.resolve(conf);
    if (role === undefined && conf.voters.length > 0) {
      return Promise.reject(new InvalidArgumentError(`join: node ${loop.id} already has the state of a cluster it is not a member of`));
    }
    return this.#startRequest(options.learner === true ? 'learner' : 'voter', options.via, options);
  }

  /**
   * See RaftNode.leave: resolves once the removal is applied; undefined when this node is no
   * member (it just stops).
   */
  leave(options: RequestOptions): Promise<ConfState> | undefined {
    const loop = this.#loop;
    const conf = loop.core.status().conf;
    if (roleIn(conf, loop.id) === undefined) return undefined;
    if (conf.voters.length === 1 && conf.voters[0] === loop.id && conf.votersOutgoing.length === 0) {
      throw new InvalidArgumentError(`leave: ${loop.id} is the last voter`);
    }
    return this.#startRequest('leave', conf.voters, options);
  }

  #startRequest(wish: MemberWish, via: readonly NodeId[], options: RequestOptions): Promise<ConfState> {
    if (this.#client.busy) return Promise.reject(new InvalidArgumentError('a join or leave request is already under way'));
    const loop = this.#loop;
    const promise = this.#client.start(wish, [...via], loop.now, options.timeoutMs ?? this.#parts.requests.requestTimeoutMs, options.signal);
    loop.schedule();
    return promise;
  }

  /** Founders' questions and answers (see Founding), already checked; they never reach the core. */
  receiveFound(message: FoundRequest | FoundResponse): void {
    const loop = this.#loop;
    if (message.type === 'foundResp') {
      this.#founding?.receive(message);
    } else if (this.#founding !== undefined) {
      this.#founding.answer(message, loop.term);
    } else if (loop.store !== undefined && loop.core.status().conf.voters.length > 0) {
      const conf = loop.core.status().conf;
      loop.send({ type: 'foundResp', from: loop.id, to: message.from, term: loop.term, store: loop.store, conf: { index: 0, term: 0, conf } });
    }
  }

  /** Join and leave traffic never reaches the core; returns why a message was refused, if it was. */
  receiveMember(message: MemberRequest | MemberResponse): Rejection | undefined {
    const loop = this.#loop;
    let rejection = checkMemberMessage(message, loop.id);
    try {
      if (rejection === undefined && message.type === 'memberResp' && message.subject === loop.id) {
        this.#client.receive(message, loop.now);
      } else if (rejection === undefined) {
        rejection = this.#desk.receive(message);
      }
    } catch (error) {
      rejection = { reason: 'impossibleField', detail: `a ${message.type} message failed: ${toError(error).message}` };
    }
    return rejection;
  }

  failAll(error: Error): void {
    this.#client.failAll(error);
  }
}
