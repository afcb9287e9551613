/**
 * Founding a new cluster without ever founding over an old one. A node created with `members`
 * on an empty store cannot tell, by itself, a brand-new cluster from one it belonged to and
 * forgot (its disk was wiped, its browser store evicted): founding again in the second case
 * would let it vote with nothing in its log and lose committed entries. So the founders ask
 * each other first (`found` messages):
 * - every other founder answers that it has no configuration yet (and names its store): the
 *   cluster is new, and each founder settles the same first configuration, binding every
 *   founder to its store;
 * - one answers with a configuration that binds this node to the store it has: the founders
 *   settled already; this node takes that configuration;
 * - one answers with a configuration that binds this node to another store (or to none): this
 *   node lost its state. It founds nothing and waits for the cluster's leader, then asks to be
 *   readmitted (see MemberDesk).
 * A founder that is never heard from holds the founding back: a founder cannot know it is new
 * without it.
 */
import { storeOf } from '../raft/confchange.ts';
import type { ConfState, FoundRequest, FoundResponse, Message, NodeId, Rejection, SnapshotMeta } from '../raft/types.ts';

export interface FoundingHost {
  readonly id: NodeId;
  readonly store: string;
  /** The founders, this node included. */
  readonly members: readonly NodeId[];
  /** The configuration this node holds now. */
  conf(): ConfState;
  send(message: Message): void;
  /** The first configuration is settled (founded here, or taken from a founder). */
  settle(conf: ConfState): void;
  /** The cluster exists and does not bind this node to its store: it lost its state. */
  forgotten(conf: ConfState): void;
}

/** Ticks between two rounds of questions to the founders not heard from. */
const ASK_EVERY_TICKS = 2;

const noConf: SnapshotMeta = Object.freeze({
  index: 0,
  term: 0,
  conf: Object.freeze({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false }),
});

export class Founding {
  /** Founders that answered without a configuration, and their stores. */
  readonly #fresh = new Map<NodeId, string>();
  #state: 'asking' | 'waiting' | 'settled' = 'asking';
  #sinceAsked = ASK_EVERY_TICKS;
  readonly #host: FoundingHost;

  constructor(host: FoundingHost) {
    this.#host = host;
  }

  /** Still looking for the other founders (answers `found` questions as a founder). */
  get asking(): boolean {
    return this.#state === 'asking';
  }

  /** Asks the other founders at once (and again every few ticks until settled). */
  start(term: number): void {
    this.#sinceAsked = ASK_EVERY_TICKS;
    this.tick(term);
  }

  tick(term: number): void {
    if (this.#state !== 'asking') return;
    if (this.#host.conf().voters.length > 0) {
      // A leader reached this node first: the cluster exists and it has its configuration.
      this.#state = 'settled';
      return;
    }
    if (this.#everyoneHeard()) {
      this.#found();
      return;
    }
    if (++this.#sinceAsked < ASK_EVERY_TICKS) return;
    this.#sinceAsked = 0;
    for (const to of this.#host.members) {
      if (to === this.#host.id || this.#fresh.has(to)) continue;
      this.#host.send({ type: 'found', from: this.#host.id, to, term, store: this.#host.store });
    }
  }

  /** A founder's question: answered with this node's configuration, or as a founder still asking. */
  answer(request: FoundRequest, term: number): void {
    const conf = this.#host.conf();
    if (conf.voters.length === 0 && this.#state !== 'asking') return;
    if (conf.voters.length === 0 && this.#host.members.includes(request.from)) this.#fresh.set(request.from, request.store);
    const meta = conf.voters.length === 0 ? noConf : { index: 0, term: 0, conf };
    this.#host.send({ type: 'foundResp', from: this.#host.id, to: request.from, term, store: this.#host.store, conf: meta });
    if (this.#state === 'asking' && conf.voters.length === 0 && this.#everyoneHeard()) this.#found();
  }

  receive(response: FoundResponse): void {
    if (this.#state !== 'asking') return;
    const conf = response.conf.conf;
    if (conf.voters.length === 0) {
      if (this.#host.members.includes(response.from)) this.#fresh.set(response.from, response.store);
      if (this.#everyoneHeard()) this.#found();
      return;
    }
    if (conf.voters.includes(this.#host.id) && storeOf(conf, this.#host.id) === this.#host.store) {
      this.#settle(conf);
      return;
    }
    this.#state = 'waiting';
    this.#host.forgotten(conf);
  }

  #everyoneHeard(): boolean {
    for (const id of this.#host.members) if (id !== this.#host.id && !this.#fresh.has(id)) return false;
    return true;
  }

  #found(): void {
    const stores = Object.create(null) as Record<NodeId, string>;
    for (const [id, store] of this.#fresh) stores[id] = store;
    stores[this.#host.id] = this.#host.store;
    const voters = [...new Set(this.#host.members)].sort();
    this.#settle({ voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, stores });
  }

  #settle(conf: ConfState): void {
    this.#state = 'settled';
    this.#host.settle(conf);
  }
}

/** The checks the codec makes, for messages that came without it (in-memory transports). */
export function checkFoundMessage(message: FoundRequest | FoundResponse, self: NodeId): Rejection | undefined {
  const impossible = (detail: string): Rejection => ({ reason: 'impossibleField', detail: `${message.type}: ${detail}` });
  if (message.to !== self) return { reason: 'wrongRecipient', detail: `addressed to ${String(message.to)}` };
  if (typeof message.from !== 'string' || message.from === '' || message.from === self) return impossible('bad sender');
  if (typeof message.store !== 'string' || message.store === '' || message.store.length > 64) return impossible('store must be a store id');
  if (message.type === 'found') return undefined;
  const conf = message.conf?.conf as Partial<ConfState> | undefined;
  const lists = ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const;
  if (typeof conf !== 'object' || conf === null || lists.some((list) => !Array.isArray(conf[list]))) return impossible('conf must be a configuration');
  if (conf.stores !== undefined && (typeof conf.stores !== 'object' || conf.stores === null)) return impossible('conf stores must be an object');
  return undefined;
}
