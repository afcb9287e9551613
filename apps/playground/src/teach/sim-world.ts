/**
 * The teaching world on `@webraft/sim`: real `RaftNode`s (the whole driver around the real
 * core) on the simulator's clock, network and disks. This adapter turns learner actions into
 * simulator actions and the simulator's state into frames, and writes the event log a learner
 * reads (role, term, vote and commit changes, found by comparing nodes after each simulator
 * step; refusals the observers saw), each line and each message with the rule behind it. It is
 * the only file that talks to the simulator; `observed-core.ts` watches each core the
 * simulator's nodes build.
 */
import { RawNode, type ConfChange, type Entry, type Message, type NodeId, type RaftCore } from '@webraft/core';
import { describeEntry } from '@webraft/core/log-export';
import { defaultSettle, describeMessage, Simulation, type KvCommand, type Packet, type SimNode } from '@webraft/sim';
import { explainRequest, type RulesInUse } from './explain.ts';
import { explainAction, explainAnswered, explainBecame, explainCommit, explainTerm, explainVote, explainVoters, type ChangeContext } from './explain-events.ts';
import type { Action } from './model/actions.ts';
import { describeAction } from './model/actions.ts';
import type { EventView, Frame, LogEntryView, MessageView, NodeView, PeerProgress } from './model/types.ts';
import { linkKey } from './model/types.ts';
import { maxNodes } from './model/url.ts';
import type { World, WorldOptions } from './model/world.ts';
import { NodeObserver, observedCoreFactory } from './observed-core.ts';

/** Timing chosen so a message visibly travels: one-way delay is a large part of a heartbeat interval. */
export const teachingTiming = {
  tickMs: 10,
  electionTicks: 20,
  heartbeatTicks: 7,
  minDelayMs: 18,
  maxDelayMs: 32,
} as const;

interface Seen {
  role: string;
  term: number;
  vote: NodeId;
  commit: number;
  up: boolean;
  voters: string;
  votersRef: readonly NodeId[];
}

const emptyContext = new Uint8Array(0);
/** How long a learner's client waits for its answer before the node gives up on it. */
const requestTimeoutMs = 5000;

export class SimWorld implements World {
  readonly sim: Simulation;
  readonly allNodes: readonly NodeId[];
  readonly rules: RulesInUse;
  #observers = new Map<NodeId, NodeObserver>();
  /** Why each message was sent, filled in by the observers as the cores send them. */
  #whyOf = new WeakMap<Message, string>();
  #events: EventView[] = [];
  #seen = new Map<NodeId, Seen>();
  /** Nodes drawn: the initial members, plus spares once they are added. */
  #shown: Set<NodeId>;
  #requests = 0;
  /** Client writes not yet answered: by which node, which command, and how far it had applied. */
  #awaiting: { node: NodeId; command: string; label: string; from: number }[] = [];
  /** Entries and packets never change once made, so their views are built once. */
  #entryViews = new WeakMap<Entry, LogEntryView>();
  #messageViews = new Map<number, MessageView>();
  /** Learner actions applied so far: each may change what a frame shows (a cut link, say). */
  #applied = 0;
  readonly #settle: () => Promise<void>;

  constructor(options: WorldOptions) {
    // Spare nodes tick like the others, so keep a couple, enough for the "add a server" button.
    const spares = Math.min(2, Math.max(0, maxNodes - options.nodes));
    const createCore = (o: ConstructorParameters<typeof RawNode>[0], r: ConstructorParameters<typeof RawNode>[1]): RaftCore => new RawNode(o, r);
    const classic = options.classic === true;
    this.rules = { preVote: !classic, checkQuorum: !classic, electionTicks: teachingTiming.electionTicks };
    const observe = (o: { readonly id: NodeId }) => {
      const termAt = (index: number) => this.sim.node(o.id).store.view.entryAt(index)?.term;
      const observer = new NodeObserver(o.id, this.rules, () => this.sim?.now ?? 0, this.#whyOf, termAt);
      this.#observers.set(o.id, observer);
      return observer;
    };
    this.#settle = defaultSettle();
    this.sim = new Simulation({
      seed: options.seed,
      nodes: options.nodes + spares,
      voters: options.nodes,
      createCore: observedCoreFactory(createCore, observe),
      preVote: this.rules.preVote,
      checkQuorum: this.rules.checkQuorum,
      tickMs: teachingTiming.tickMs,
      electionTicks: teachingTiming.electionTicks,
      heartbeatTicks: teachingTiming.heartbeatTicks,
      network: { minDelayMs: teachingTiming.minDelayMs, maxDelayMs: teachingTiming.maxDelayMs },
      writeDelayMs: [0.5, 2],
      crashSurvivalRate: 0,
      keepEntries: 2,
      workload: { clients: 0, ops: 0 },
      settle: this.#settle,
    });
    this.allNodes = this.sim.nodeIds();
    this.#shown = new Set(this.allNodes.slice(0, options.nodes));
  }

  /** Lets every node load its (empty) disk and start; the world is at time 0 after it. */
  async start(): Promise<void> {
    await this.sim.ready();
    this.#observe();
  }

  get now(): number {
    return this.sim.now;
  }

  get version(): number {
    const s = this.sim.network.stats;
    return s.sent * 1e6 + s.delivered * 1e3 + s.dropped + this.#stateKey() + this.#applied * 1e9;
  }

  async runUntil(t: number): Promise<void> {
    await this.sim.runUntil(t, () => {
      this.#observe();
      return false;
    });
  }

  async apply(action: Action): Promise<void> {
    this.#applied += 1;
    this.#events.push({ time: this.sim.now, text: describeAction(action), why: explainAction(action), kind: 'user' });
    const leader = this.sim.leader()?.id;
    switch (action.kind) {
      case 'crash':
      case 'restart':
        await this.sim.apply({ type: action.kind, node: action.node });
        break;
      case 'timeout':
        await this.sim.apply({ type: 'campaign', node: action.node });
        break;
      case 'request':
      case 'read':
        this.#clientRequest(this.sim.node(action.node), action.kind === 'read');
        await this.#settle();
        break;
      case 'transfer':
        await this.sim.apply({ type: 'transfer', node: leader ?? action.node, to: action.node });
        break;
      case 'snapshot':
        await this.sim.apply({ type: 'snapshot', node: action.node });
        break;
      case 'addNode':
        // A new server asks the members to let it in (RaftNode's join): the leader adds it as a learner and promotes it once it has caught up.
        this.#shown.add(action.node);
        await this.sim.apply({ type: 'join', node: action.node, via: this.#members().filter((id) => id !== action.node) });
        break;
      case 'removeNode': {
        const change: ConfChange = { changes: [{ type: 'remove', id: action.node }], transition: 'auto', context: emptyContext };
        await this.sim.apply({ type: 'confChange', node: leader ?? this.allNodes[0]!, change });
        break;
      }
      case 'cut':
      case 'heal':
        await this.sim.apply({ type: 'link', from: action.a, to: action.b, up: action.kind === 'heal' });
        await this.sim.apply({ type: 'link', from: action.b, to: action.a, up: action.kind === 'heal' });
        break;
      case 'drop':
        await this.sim.apply({ type: 'dropPacket', packet: action.msg });
        break;
      case 'partition':
        await this.sim.apply({ type: 'partition', groups: [...action.groups, ...this.#hiddenGroups()] });
        break;
      case 'healAll':
        await this.sim.apply({ type: 'heal' });
        break;
    }
    this.#observe();
  }

  frame(): Frame {
    const conf = (this.sim.leader() ?? this.#mostAdvanced()).conf;
    const nodes: NodeView[] = [];
    for (const id of this.allNodes) {
      if (!this.#shown.has(id)) continue;
      const node = this.sim.node(id);
      const observer = this.#observers.get(id);
      const member = conf.voters.includes(id) || conf.votersOutgoing.includes(id) || conf.learners.includes(id);
      // A node that is starting (loading its disk: a few virtual ms) is shown in the role it starts in.
      const live = node.state !== 'down';
      const running = live && node.role !== 'leader' && node.conf.voters.includes(id);
      const status = node.raft?.status();
      nodes.push({
        id,
        role: live ? node.role : 'down',
        term: node.hardState.term,
        vote: node.hardState.vote,
        lead: node.lead,
        commit: node.hardState.commit,
        applied: status?.applied ?? 0,
        snapshotIndex: node.store.view.offset,
        log: node.store.view.entries.map((e) => this.#entryView(e)),
        member,
        learner: conf.learners.includes(id),
        ...(running && observer !== undefined
          ? { timer: { start: observer.timer.resetAt, end: observer.timer.resetAt + observer.timer.timeoutTicks * this.#tickMs(node) } }
          : {}),
        ...(live && node.role === 'leader' && status !== undefined ? { progress: progressOf(node.id, status.progress ?? {}) } : {}),
      });
    }
    const packets = this.sim.packets();
    const messages = packets.map((p) => this.#messageView(p));
    if (this.#messageViews.size > 4 * packets.length + 64) {
      const live = new Set(packets.map((p) => p.id));
      for (const id of this.#messageViews.keys()) if (!live.has(id)) this.#messageViews.delete(id);
    }
    const cuts = new Set<string>();
    for (const a of this.#shown) for (const b of this.#shown) if (a !== b && this.sim.network.isCut(a, b)) cuts.add(linkKey(a, b));
    return { time: this.sim.now, nodes, messages, cuts: [...cuts].sort() };
  }

  #tickMs(node: SimNode): number {
    return this.sim.baseTickMs * node.rate;
  }

  #entryView(entry: Entry): LogEntryView {
    let view = this.#entryViews.get(entry);
    if (view === undefined) this.#entryViews.set(entry, (view = entryView(entry)));
    return view;
  }

  #messageView(p: Packet): MessageView {
    const cached = this.#messageViews.get(p.id);
    if (cached !== undefined) return cached;
    const m = p.message;
    const reject = 'reject' in m ? m.reject : undefined;
    const view: MessageView = {
      id: p.id,
      from: p.from,
      to: p.to,
      type: m.type,
      summary: describeMessage(m),
      why: this.#whyOf.get(m) ?? explainRequest(m),
      sendTime: p.sentAt,
      recvTime: p.deliverAt,
      response: m.type.endsWith('Resp'),
      ...(reject === undefined ? {} : { ok: !reject }),
    };
    this.#messageViews.set(p.id, view);
    return view;
  }

  drainEvents(): EventView[] {
    const out = this.#events;
    this.#events = [];
    return out;
  }

  /** A client sends one request to `node` (which forwards it to the leader, as RaftNode does). */
  #clientRequest(node: SimNode, read: boolean): void {
    this.#requests += 1;
    const n = this.#requests;
    const client = `learner${n}`;
    const input = read ? { op: 'get' as const, key: 'x' } : { op: 'put' as const, key: 'x', value: String(n) };
    const command: KvCommand = { id: `${client}:1`, input };
    node.serve({ client, attempt: 1, command, read: read ? 'readIndex' : 'log', timeoutMs: requestTimeoutMs });
    if (!read && node.up) this.#awaiting.push({ node: node.id, command: command.id, label: `x=${n}`, from: appliedOf(node) });
  }

  /**
   * The node a client wrote through answers it once that node has applied the command: say
   * so in the event log, the moment the request is complete from the client's side.
   */
  #noticeAnswers(): void {
    for (let i = this.#awaiting.length - 1; i >= 0; i--) {
      const w = this.#awaiting[i]!;
      const node = this.sim.node(w.node);
      if (!node.up) {
        this.#awaiting.splice(i, 1);
        continue;
      }
      const applied = appliedOf(node);
      if (applied <= w.from) continue;
      for (let index = w.from + 1; index <= applied; index++) {
        const entry = node.store.view.entryAt(index);
        if (entry?.type === 'normal' && commandIds(entry).includes(w.command)) {
          const text = `applied ${w.label} (index ${index}) and answered the client`;
          this.#events.push({ time: this.sim.now, node: w.node, text, why: explainAnswered(w.node, index), kind: 'client' });
          this.#awaiting.splice(i, 1);
          break;
        }
      }
      if (this.#awaiting[i] === w) w.from = applied;
    }
  }

  /** Members of the configuration the frame shows (the leader's, else the most advanced node's). */
  #members(): NodeId[] {
    const conf = (this.sim.leader() ?? this.#mostAdvanced()).conf;
    return [...conf.voters, ...conf.learners];
  }

  /** Spares that were never added stay apart from every partition's groups (they hold no state). */
  #hiddenGroups(): NodeId[][] {
    return this.allNodes.filter((id) => !this.#shown.has(id)).map((id) => [id]);
  }

  #mostAdvanced(): SimNode {
    let best = this.sim.node(this.allNodes[0]!);
    for (const id of this.#shown) {
      const n = this.sim.node(id);
      if (n.hardState.commit > best.hardState.commit) best = n;
    }
    return best;
  }

  #stateKey(): number {
    let key = 0;
    for (const id of this.#shown) {
      const n = this.sim.node(id);
      const t = this.#observers.get(id)?.timer.resetAt ?? 0;
      key += (n.state === 'down' ? 7 : 1) * 31 + n.hardState.term * 131 + n.hardState.commit * 17 + appliedOf(n) * 3 + n.store.view.lastIndex * 13 + n.store.view.offset * 5 + t;
    }
    return key;
  }

  /** Runs after every simulator step, so it stays allocation-free unless something changed. */
  #observe(): void {
    if (this.#awaiting.length > 0) this.#noticeAnswers();
    for (const id of this.#shown) {
      const n = this.sim.node(id);
      const notices = this.#observers.get(id)?.notices;
      if (notices !== undefined && notices.length > 0) {
        for (const notice of notices) this.#events.push({ time: this.sim.now, node: id, text: notice.text, why: notice.why, kind: 'net' });
        notices.length = 0;
      }
      const before = this.#seen.get(id);
      const live = n.state !== 'down';
      const role = live ? n.role : 'down';
      const { term, vote, commit } = n.hardState;
      const voters = n.conf.voters;
      if (
        before !== undefined &&
        before.role === role &&
        before.term === term &&
        before.vote === vote &&
        before.commit === commit &&
        before.votersRef === voters
      ) {
        continue;
      }
      const next: Seen = { role, term, vote, commit, up: live, voters: voters.join(' '), votersRef: voters };
      this.#seen.set(id, next);
      if (before === undefined || !live || !before.up) continue;
      this.#describeChange(id, before, next);
    }
  }

  #describeChange(id: NodeId, before: Seen, next: Seen): void {
    const time = this.sim.now;
    const add = (text: string, why: string) => this.#events.push({ time, node: id, text, why, kind: 'raft' });
    const observer = this.#observers.get(id);
    const recorded = observer?.cause;
    const context: ChangeContext = {
      rules: this.rules,
      tickMs: this.#tickMs(this.sim.node(id)),
      cause: recorded !== undefined && recorded.time === time ? recorded.cause : undefined,
      granted: observer !== undefined && observer.grantedTerm === next.term ? [...observer.granted].sort() : [],
      quorum: Math.floor(next.votersRef.length / 2) + 1,
    };
    if (next.role !== before.role) {
      add(`became ${next.role === 'preCandidate' ? 'pre-candidate' : next.role} in term ${next.term}`, explainBecame(id, before, next, context));
    } else if (next.term !== before.term) {
      add(`moved to term ${next.term}`, explainTerm(id, before, next, context));
    }
    if (next.vote !== before.vote && next.vote !== '' && next.vote !== id) add(`voted for ${next.vote.toUpperCase()} in term ${next.term}`, explainVote(id, next, context));
    if (next.commit > before.commit && next.role === 'leader') add(`committed up to index ${next.commit}`, explainCommit(id, next, context));
    if (next.voters !== before.voters && before.voters !== '') add(`now counts voters ${next.voters.toUpperCase()}`, explainVoters(id, next.voters));
  }
}

/** The index up to which a node's state machine has applied the log (0 while it is down). */
function appliedOf(node: SimNode): number {
  return node.raft?.status().applied ?? 0;
}

/** The leader's nextIndex and matchIndex for every peer (§5.3). */
function progressOf(self: NodeId, peers: Readonly<Record<NodeId, { readonly match: number; readonly next: number }>>): Record<NodeId, PeerProgress> {
  const progress: Record<NodeId, PeerProgress> = {};
  for (const [peer, p] of Object.entries(peers)) {
    if (peer !== self) progress[peer] = { match: p.match, next: p.next };
  }
  return progress;
}

/** `+N4`, `−N1`, `~N2` (made a learner), `leave` for leaving a joint configuration, `config` for a cluster's founding one. */
function confLabel(entry: Entry, changes: ConfChange['changes']): string {
  if (changes.length === 0) return entry.index === 1 ? 'config' : 'leave';
  return changes.map((c) => `${c.type === 'remove' ? '−' : c.type === 'addLearner' ? '~' : '+'}${c.id.toUpperCase()}`).join(' ');
}

function commandIds(entry: Entry): string[] {
  const described = describeEntry(entry);
  if (described.kind !== 'commands') return [];
  return described.commands.map((c) => kvCommand(c.command)?.id ?? '');
}

/** The simulator's key-value command, as decoded from an entry (anything else is not one). */
function kvCommand(value: unknown): KvCommand | undefined {
  const c = value as Partial<KvCommand> | undefined;
  return typeof c?.id === 'string' && typeof c.input === 'object' && c.input !== null ? (c as KvCommand) : undefined;
}

function commandLabel(command: KvCommand): string {
  const input = command.input;
  return input.op === 'put' ? `${input.key}=${input.value ?? ''}` : input.op === 'get' ? `get ${input.key}` : `cas ${input.key}`;
}

function entryView(entry: Entry): LogEntryView {
  const base = { index: entry.index, term: entry.term, type: entry.type };
  const described = describeEntry(entry);
  switch (described.kind) {
    case 'noop':
      return { ...base, label: 'noop' };
    case 'config':
      return { ...base, label: confLabel(entry, described.change.changes) };
    case 'register':
      return { ...base, label: 'session' };
    case 'commands':
      return { ...base, label: described.commands.map((c) => { const command = kvCommand(c.command); return command === undefined ? '?' : commandLabel(command); }).join(' ') };
    default:
      return { ...base, label: '?' };
  }
}

export const simWorld = async (options: WorldOptions): Promise<World> => {
  const world = new SimWorld(options);
  await world.start();
  return world;
};
