/**
 * Watches a core from outside, for what the pure core does not report: its election timer
 * (for the arc) and why it did what it did (for the "why" of messages and events). Every call
 * passes through unchanged, including the random draws, so a run is the same with or without
 * the observer.
 *
 * The timer mirrors the core's `electionElapsed`: it counts ticks, restarts when the core
 * draws a new timeout (every reset draws one, the contract of `RaftOptions.electionTicks`),
 * when an election fires, when a follower hears from its leader and when it grants a vote.
 */
import type { ConfChange, Message, NodeId, ProposeOutcome, RaftCore, RaftOptions, RaftRestore, RaftStatus, Ready, Rejection, Snapshot } from '@webraft/core';
import { decideVote, explainAppendAnswer, explainRequest, name, type CoreState, type Decision, type RulesInUse } from './explain.ts';

export interface ElectionTimer {
  /** Virtual time of the last restart. */
  readonly resetAt: number;
  /** Ticks from the restart until the timer fires. */
  readonly timeoutTicks: number;
}

/** What last changed a node: a message (with the decision taken on it), its timer, or a learner's campaign. */
export type Cause =
  | { readonly kind: 'message'; readonly message: Message; readonly decision?: Decision }
  | { readonly kind: 'timer'; readonly elapsed: number }
  | { readonly kind: 'campaign' };

/** A refusal worth a line in the event log: the node, what it did, and the rule. */
export interface Notice {
  readonly text: string;
  readonly why: string;
}

const leaderContact = new Set<Message['type']>(['app', 'heartbeat', 'snap']);
type LeaderContact = Extract<Message, { type: 'app' | 'heartbeat' }>;

export class NodeObserver {
  timer: ElectionTimer = { resetAt: 0, timeoutTicks: 0 };
  electionElapsed = 0;
  /** The last cause of a change, with its virtual time. */
  cause: { readonly time: number; readonly cause: Cause } | undefined;
  /** Voters that granted this node's vote requests in `grantedTerm` (its own vote included). */
  readonly granted = new Set<NodeId>();
  grantedTerm = -1;
  notices: Notice[] = [];
  /** Decisions whose answers the core has not sent yet, by `peer/type`. */
  readonly answers = new Map<string, Decision>();
  /** The last AppendEntries or heartbeat from each leader, with this node as it was when it arrived. */
  readonly contacts = new Map<NodeId, { readonly message: LeaderContact; readonly before: CoreState }>();

  constructor(
    readonly id: NodeId,
    readonly rules: RulesInUse,
    private readonly now: () => number,
    /** Why each message was sent, shared by every node of a world (messages are never reused). */
    readonly whyOf: WeakMap<Message, string>,
    /** Term of this node's entry at `index`, if it holds one. */
    readonly termAt: (index: number) => number | undefined,
  ) {}

  /** Wraps the core's random source: each draw is a reset with timeout e + min(e − 1, ⌊r·e⌋) (raft.ts). */
  random(inner: () => number): () => number {
    const e = this.rules.electionTicks;
    return () => {
      const r = inner();
      this.timer = { resetAt: this.now(), timeoutTicks: e + Math.min(e - 1, Math.max(0, Math.floor(r * e))) };
      this.electionElapsed = 0;
      return r;
    };
  }

  restart(): void {
    this.timer = { ...this.timer, resetAt: this.now() };
    this.electionElapsed = 0;
  }

  changed(cause: Cause): void {
    this.cause = { time: this.now(), cause };
  }

  wrap(core: RaftCore): RaftCore {
    return new ObservedCore(core, this);
  }
}

function stateOf(s: RaftStatus, electionElapsed: number): CoreState {
  return { role: s.role, term: s.term, vote: s.vote, lead: s.lead, commit: s.commit, lastIndex: s.lastIndex, lastTerm: s.lastTerm, electionElapsed };
}

const differs = (a: CoreState, b: RaftStatus) => a.role !== b.role || a.term !== b.term || a.vote !== b.vote || a.lead !== b.lead || a.commit !== b.commit;

class ObservedCore implements RaftCore {
  /**
   * The core's status as last read; dropped by every call that may change it. `status()` copies
   * the leader's whole progress table, and a tick that changes nothing visible leaves no Ready,
   * so most ticks need not read it at all.
   */
  #known: RaftStatus | undefined;

  constructor(
    private readonly core: RaftCore,
    private readonly o: NodeObserver,
  ) {}

  #status(): RaftStatus {
    return (this.#known ??= this.core.status());
  }

  #refresh(): RaftStatus {
    return (this.#known = this.core.status());
  }

  step(message: Message): Rejection | undefined {
    const o = this.o;
    const before = stateOf(this.#status(), o.electionElapsed);
    const decision = message.type === 'vote' ? decideVote(o.id, before, message, o.rules) : undefined;
    if (message.type === 'app' || message.type === 'heartbeat') o.contacts.set(message.from, { message, before });
    const rejection = this.core.step(message);
    const after = this.#refresh();
    if (decision !== undefined && message.type === 'vote') {
      if (decision.outcome === 'granted' && !message.pre) o.restart();
      if (decision.outcome === 'ignored') o.notices.push({ text: `ignored ${name(message.from)}'s ${message.pre ? 'pre-vote' : 'vote request'}`, why: decision.text });
      else o.answers.set(`${message.from}/voteResp`, decision);
      if (decision.outcome === 'refused') o.notices.push({ text: `refused ${name(message.from)}'s ${message.pre ? 'pre-vote' : 'vote request'}`, why: decision.text });
    } else if (rejection === undefined && leaderContact.has(message.type) && after.role === 'follower' && after.lead === message.from) {
      o.restart();
    }
    if (message.type === 'voteResp' && !message.pre && !message.reject && message.term === after.term) {
      if (o.grantedTerm !== after.term) o.granted.clear();
      o.grantedTerm = after.term;
      o.granted.add(message.from);
    }
    if (rejection !== undefined) this.noticeRejection(message, before, rejection);
    if (differs(before, after)) o.changed({ kind: 'message', message, ...(decision === undefined ? {} : { decision }) });
    return rejection;
  }

  tick(): void {
    const o = this.o;
    const before = this.#status();
    o.electionElapsed += 1;
    if (before.role === 'leader') {
      if (o.electionElapsed >= o.rules.electionTicks) o.electionElapsed = 0;
    }
    const elapsed = o.electionElapsed;
    if (before.role !== 'leader' && isVoter(before) && elapsed >= o.timer.timeoutTicks) o.restart();
    this.core.tick();
    // A change of role, term, vote, leader or commit always leaves a Ready behind.
    if (this.core.hasReady() && differs(stateOf(before, 0), this.#refresh())) o.changed({ kind: 'timer', elapsed });
  }

  ready(): Ready {
    const rd = this.core.ready();
    for (const m of rd.messages) this.explainSend(m);
    for (const m of rd.messagesAfterPersist) this.explainSend(m);
    return rd;
  }

  private explainSend(m: Message): void {
    const o = this.o;
    if (o.whyOf.has(m)) return;
    if (m.type === 'voteResp') {
      const key = `${m.to}/voteResp`;
      const decision = o.answers.get(key);
      o.answers.delete(key);
      o.whyOf.set(m, decision?.text ?? explainRequest(m));
      return;
    }
    if (m.type === 'appResp') {
      const asked = o.contacts.get(m.to);
      const before = asked?.before ?? stateOf(this.core.status(), o.electionElapsed);
      const decision = explainAppendAnswer(o.id, before, m, asked?.message, o.termAt);
      if (decision.outcome === 'refused') o.notices.push({ text: `refused AppendEntries from ${name(m.to)}`, why: decision.text });
      o.whyOf.set(m, decision.text);
      return;
    }
    o.whyOf.set(m, explainRequest(m));
  }

  /** A refused leader message or forwarded request gets a line; an answered one is explained by its answer. */
  private noticeRejection(m: Message, before: CoreState, rejection: Rejection): void {
    const o = this.o;
    const answered = o.rules.checkQuorum || o.rules.preVote;
    if (rejection.reason === 'staleTerm' && leaderContact.has(m.type) && !answered) {
      o.notices.push({
        text: `ignored a stale ${m.type === 'app' ? 'AppendEntries' : m.type} from ${name(m.from)}`,
        why: `${m.type === 'app' ? 'AppendEntries' : m.type} ignored: ${name(o.id)} is in term ${before.term}, newer than the sender's term ${m.term}, so the message is stale (§5.1). Classic Raft sends no answer: the old leader learns the newer term only when it hears a message of that term.`,
      });
    } else if (rejection.reason !== 'staleTerm' && (leaderContact.has(m.type) || m.type === 'prop' || m.type === 'readIndex')) {
      o.notices.push({ text: `refused ${m.type} from ${name(m.from)}`, why: `${m.type} refused: ${rejection.detail} (${rejection.reason})` });
    }
  }

  bootstrap(snapshot: Snapshot): void {
    this.#known = undefined;
    this.core.bootstrap(snapshot);
  }

  campaign(): void {
    const before = stateOf(this.#status(), 0);
    this.core.campaign();
    if (differs(before, this.#refresh())) this.o.changed({ kind: 'campaign' });
  }

  propose(data: Uint8Array): ProposeOutcome {
    this.#known = undefined;
    return this.core.propose(data);
  }
  proposeConfChange(change: ConfChange): ProposeOutcome {
    this.#known = undefined;
    return this.core.proposeConfChange(change);
  }
  readIndex(context: Uint8Array): void {
    this.#known = undefined;
    this.core.readIndex(context);
  }
  transferLeadership(to: NodeId): void {
    this.#known = undefined;
    this.core.transferLeadership(to);
  }
  reportUnreachable(peer: NodeId): void {
    this.#known = undefined;
    this.core.reportUnreachable(peer);
  }
  hasReady(): boolean {
    return this.core.hasReady();
  }
  advance(ready: Ready): void {
    this.#known = undefined;
    this.core.advance(ready);
  }
  persisted(seq: number): void {
    this.#known = undefined;
    this.core.persisted(seq);
  }
  compact(snapshot: Snapshot, keepEntries?: number): void {
    this.#known = undefined;
    this.core.compact(snapshot, keepEntries);
  }
  appliedTo(index: number): void {
    this.#known = undefined;
    this.core.appliedTo(index);
  }
  status(): RaftStatus {
    return this.core.status();
  }
}

function isVoter(s: RaftStatus): boolean {
  return s.conf.voters.includes(s.id) || s.conf.votersOutgoing.includes(s.id);
}

/** A core factory that attaches an observer per node (a restart gets a fresh one). */
export function observedCoreFactory(
  create: (options: RaftOptions, restore: RaftRestore) => RaftCore,
  observe: (options: RaftOptions) => NodeObserver,
): (options: RaftOptions, restore: RaftRestore) => RaftCore {
  return (options, restore) => {
    const observer = observe(options);
    return observer.wrap(create({ ...options, random: observer.random(options.random) }, restore));
  };
}
