/**
 * The scenario interpreter: a cluster of pure Raft cores, each with a harness-owned
 * synchronous durable store, joined by a network of per-node inboxes that scripts can
 * partition, drop from and deliver selectively. Imports only core sources, so the same
 * scripts run under vitest and Deno. Every command returns deterministic text.
 *
 * A deliberate single-message harness: it drives `RawNode` with a minimal Ready loop of its
 * own so a script can place each message, write and crash by hand. The loop applications run
 * (`RaftNode`) is what the whole-stack simulator (packages/sim) fuzzes.
 */
import type { RaftCore, RaftOptions } from '../../src/raft/contract.ts';
import type { ConfChangeSingle, ConfState, Message } from '../../src/raft/types.ts';
import { boolArg, type Command, intArg, listArg, parseCommand, ScenarioError, seededRandom } from './args.ts';
import * as fmt from './format.ts';
import { buildMessage } from './inject.ts';
import { type ChaosView, chaosRandom, chaosStep } from './chaos.ts';
import { InvariantChecker } from './invariants.ts';
import { Network } from './network.ts';
import { SimNode } from './sim-node.ts';
import { createCore, decodeConf } from './core.ts';

const encoder = new TextEncoder();
const MAX_STABILIZE_ROUNDS = 1000;

export class Cluster {
  private readonly nodes = new Map<string, SimNode>();
  private readonly net = new Network();
  private readonly invariants = new InvariantChecker();

  /** Runs one script line and returns its output (never empty: `ok` when silent). */
  run(line: string): string {
    let out: string[];
    try {
      out = this.dispatch(parseCommand(line));
    } catch (err) {
      // The core's errors are part of its contract by name; their wording is not.
      out = [
        err instanceof ScenarioError
          ? `error: ${err.message}`
          : `error: ${err instanceof Error ? err.name : String(err)}`,
      ];
    }
    out.push(...this.invariants.check(this.nodes.values()));
    return out.length === 0 ? 'ok' : out.join('\n');
  }

  private dispatch(c: Command): string[] {
    switch (c.name) {
      case 'add-nodes':
        return this.addNodes(c);
      case 'campaign':
        return this.onCore(c, (core) => core.campaign());
      case 'propose':
        return this.propose(c);
      case 'propose-conf-change':
        return this.proposeConfChange(c);
      case 'read-index': {
        const context = c.positional[1] ?? '';
        this.invariants.readAsked(this.arg(c, 0, 'node'), context, this.nodes.values());
        return this.onCore(c, (core) => core.readIndex(encoder.encode(context)));
      }
      case 'transfer-leadership':
        return this.onCore(c, (core) => core.transferLeadership(this.arg(c, 1, 'target')));
      case 'report-unreachable':
        return this.onCore(c, (core) => core.reportUnreachable(this.arg(c, 1, 'peer')));
      case 'tick':
        return this.tick(c);
      case 'tick-all':
        return this.tickAll(c);
      case 'tick-heartbeat':
        return this.tickFixed(c, (n) => n.options.heartbeatTicks ?? 1);
      case 'tick-election':
        return this.tickElection(c);
      case 'process-ready':
        return this.each(c, (node, label) => this.processReady(node, label));
      case 'persist': {
        const upTo = c.keys.has('upto') ? intArg(c.keys.get('upto'), 'upto') : Infinity;
        return this.ids(c).flatMap((id) => this.persist(this.node(id), upTo));
      }
      case 'deliver-msgs':
        return this.deliver(c);
      case 'stabilize':
        return this.stabilize(c);
      case 'partition':
        return this.partition(c);
      case 'isolate':
        return this.isolate(c);
      case 'heal':
        this.net.heal();
        return [];
      case 'crash':
        return this.crash(c);
      case 'restart':
        return this.restart(c);
      case 'compact':
        return this.compact(c);
      case 'set-log':
        return this.setLog(c);
      case 'raft-log':
        return this.each(c, (node, label) => this.raftLog(node, label));
      case 'status':
        return this.ids(c).flatMap((id) => fmt.status(this.node(id).mustCore().status()));
      case 'raft-state':
        return this.raftState();
      case 'applied':
        return this.ids(c).map((id) => this.applied(this.node(id)));
      case 'inject-msg':
        return this.inject(c);
      case 'chaos':
        return this.chaos(c);
      default:
        throw new ScenarioError(`unknown command ${c.name}`);
    }
  }

  // --- setup ---------------------------------------------------------------------------

  private addNodes(c: Command): string[] {
    const count = intArg(c.positional[0], 'add-nodes count');
    const first = this.nodes.size + 1;
    const ids = Array.from({ length: count }, (_, i) => String(first + i));
    const voters = c.keys.has('voters') ? listArg(c.keys.get('voters')) : ids;
    const learners = listArg(c.keys.get('learners'));
    const bootstrap: ConfState | undefined =
      voters.length === 0 && learners.length === 0
        ? undefined
        : { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
    const seed = c.keys.has('seed') ? intArg(c.keys.get('seed'), 'seed') : 1;
    const fixedRandom = c.keys.get('random');
    const optional = (key: string): number | undefined =>
      c.keys.has(key) ? intArg(c.keys.get(key), key) : undefined;
    const out: string[] = [];
    for (const id of ids) {
      const random =
        fixedRandom !== undefined ? () => Number(fixedRandom) : seededRandom(seed * 7919 + Number(id) * 104729);
      const options: RaftOptions = {
        id,
        random,
        electionTicks: optional('election') ?? 10,
        heartbeatTicks: optional('heartbeat') ?? 1,
        preVote: boolArg(c.keys.get('prevote'), false),
        checkQuorum: boolArg(c.keys.get('checkquorum'), false),
        ...defined('maxSizePerMsg', optional('maxsize')),
        ...defined('maxInflightMsgs', optional('inflight')),
        ...defined('maxInflightBytes', optional('inflightbytes')),
        ...defined('maxUncommittedEntriesSize', optional('uncommitted')),
        ...defined('maxCommittedSizePerReady', optional('maxcommitted')),
        ...defined('snapshotChunkBytes', optional('snapchunk')),
        ...defined('readOnly', c.keys.get('readonly') as RaftOptions['readOnly']),
        ...defined<'proposalsWithoutLeader', 'reject'>(
          'proposalsWithoutLeader',
          c.keys.get('forward') === 'false' ? 'reject' : undefined,
        ),
      };
      const mutantsFor = c.keys.has('mutant-nodes') ? listArg(c.keys.get('mutant-nodes')) : ids;
      const mutants = mutantsFor.includes(id) ? listArg(c.keys.get('mutants')) : [];
      const node = new SimNode(id, options, bootstrap, boolArg(c.keys.get('async'), false), createCore, mutants);
      this.nodes.set(id, node);
      out.push(this.stateLine(node));
    }
    return out;
  }

  // --- inputs ----------------------------------------------------------------------------

  private onCore(c: Command, f: (core: RaftCore) => void): string[] {
    f(this.node(this.arg(c, 0, 'node')).mustCore());
    return [];
  }

  private propose(c: Command): string[] {
    const core = this.node(this.arg(c, 0, 'node')).mustCore();
    return c.positional.slice(1).map((data) => outcome(core.propose(encoder.encode(data))));
  }

  private proposeConfChange(c: Command): string[] {
    const core = this.node(this.arg(c, 0, 'node')).mustCore();
    const changes: ConfChangeSingle[] = c.positional.slice(1).map((spec) => {
      const type = ({ v: 'addVoter', l: 'addLearner', r: 'remove' } as const)[spec[0] as 'v' | 'l' | 'r'];
      if (type === undefined || spec.length < 2) throw new ScenarioError(`bad change ${spec}: want v<id>, l<id> or r<id>`);
      return { type, id: spec.slice(1) };
    });
    const transition = c.keys.get('transition') ?? 'auto';
    if (transition !== 'auto' && transition !== 'explicit') throw new ScenarioError(`bad transition ${transition}`);
    return [
      outcome(core.proposeConfChange({ changes, transition, context: encoder.encode(c.keys.get('ctx') ?? '') })),
    ];
  }

  private tick(c: Command): string[] {
    const n = c.positional[1] === undefined ? 1 : intArg(c.positional[1], 'ticks');
    const core = this.node(this.arg(c, 0, 'node')).mustCore();
    for (let i = 0; i < n; i++) core.tick();
    return [];
  }

  /** Every running node ticks `k` times in lockstep: one shared clock, nothing delivered. */
  private tickAll(c: Command): string[] {
    const k = c.positional[0] === undefined ? 1 : intArg(c.positional[0], 'ticks');
    for (let i = 0; i < k; i++) for (const n of this.nodes.values()) n.core?.tick();
    return [];
  }

  private tickFixed(c: Command, ticks: (n: SimNode) => number): string[] {
    for (const id of this.ids(c)) {
      const node = this.node(id);
      const core = node.mustCore();
      for (let i = ticks(node); i > 0; i--) core.tick();
    }
    return [];
  }

  /**
   * Ticks until the randomized election timeout has surely passed: a non-leader until its
   * role or term changes (at most 2 × electionTicks); a leader for electionTicks (one
   * CheckQuorum period).
   */
  private tickElection(c: Command): string[] {
    for (const id of this.ids(c)) {
      const node = this.node(id);
      const core = node.mustCore();
      const e = node.options.electionTicks ?? 10;
      const before = core.status();
      const limit = before.role === 'leader' ? e : 2 * e;
      for (let i = 0; i < limit; i++) {
        core.tick();
        const now = core.status();
        if (now.role !== before.role || now.term !== before.term) break;
      }
    }
    return [];
  }

  private inject(c: Command): string[] {
    const msg = buildMessage(c.keys);
    // `at=` hands the message to a node other than its addressee (a misrouted message).
    const node = this.node(c.keys.get('at') ?? String(msg.to));
    const rejection = node.mustCore().step(msg);
    return [rejection === undefined ? 'accepted' : `rejected: ${rejection.reason}`];
  }

  // --- Ready loop and network -------------------------------------------------------------

  private processReady(node: SimNode, label: boolean): string[] {
    const core = node.mustCore();
    if (!core.hasReady()) return label ? [`> ${node.id}: no Ready`] : ['no Ready'];
    const { ready, send, violations } = node.handleReady();
    this.net.send(send);
    const reads = ready.readStates.flatMap((r) => this.invariants.readAnswered(node.id, fmt.bytes(r.context), r.index));
    const body = [...fmt.ready(ready, decodeConf), ...violations.map((v) => `VIOLATION: ${v}`), ...reads];
    return label ? [`> ${node.id} handling Ready`, ...indent(body)] : body;
  }

  private persist(node: SimNode, upTo: number): string[] {
    if (!node.hasPendingWrites) return [`${node.id}: nothing to persist`];
    const released = node.persist(upTo);
    this.net.send(released);
    return [`${node.id}: persisted up to seq=${node.lastPersistedSeq}`, ...indent(released.map((m) => fmt.message(m, decodeConf)))];
  }

  /** Delivers (or drops) the messages now queued for `to`; messages they cause wait for the next Ready. */
  private deliverTo(to: string, pick: (m: Message) => boolean, drop: boolean, limit = Infinity): string[] {
    const out: string[] = [];
    for (const m of this.net.take(to, pick, limit)) {
      const line = fmt.message(m, decodeConf);
      const node = this.nodes.get(to);
      if (drop) out.push(`${line} (dropped)`);
      else if (node === undefined) out.push(`${line} (dropped: no such node)`);
      else if (!node.up) out.push(`${line} (dropped: node down)`);
      else if (!this.net.reachable(m.from, to)) out.push(`${line} (dropped: partition)`);
      else {
        const rejection = node.mustCore().step(m);
        out.push(line);
        if (rejection !== undefined) out.push(`  rejected: ${rejection.reason}`);
      }
    }
    return out;
  }

  private deliver(c: Command): string[] {
    const named = c.positional.filter((t) => t !== 'drop');
    const targets = named.length > 0 ? named : this.net.addressees();
    const types = c.keys.has('type') ? new Set(listArg(c.keys.get('type'))) : undefined;
    const from = c.keys.get('from');
    const drop = c.positional.includes('drop') || boolArg(c.keys.get('drop'), false);
    const pick = (m: Message) =>
      (types === undefined || types.has(fmt.messageKind(m))) && (from === undefined || m.from === from);
    const limit = c.keys.has('limit') ? intArg(c.keys.get('limit'), 'limit') : Infinity;
    return targets.flatMap((t) => this.deliverTo(t, pick, drop, limit));
  }

  /** Ready → persist → deliver, round after round, until no node has anything left to do. */
  private stabilize(c: Command): string[] {
    const ids = c.positional.length > 0 ? c.positional : [...this.nodes.keys()];
    const out: string[] = [];
    for (let round = 0; round < MAX_STABILIZE_ROUNDS; round++) {
      let busy = false;
      for (const id of ids) {
        const node = this.node(id);
        if (!node.up) continue;
        while (node.mustCore().hasReady()) {
          busy = true;
          out.push(...this.processReady(node, true), ...this.invariants.check(this.nodes.values()));
        }
        if (node.hasPendingWrites) this.net.send(node.persist());
      }
      for (const id of ids) {
        if (this.net.pending(id) === 0) continue;
        busy = true;
        out.push(`> ${id} receiving messages`, ...indent(this.deliverTo(id, () => true, false)));
        out.push(...this.invariants.check(this.nodes.values()));
      }
      if (!busy) return out;
    }
    throw new ScenarioError(`stabilize did not settle in ${MAX_STABILIZE_ROUNDS} rounds`);
  }

  private partition(c: Command): string[] {
    const groups = c.positional
      .join(' ')
      .split('|')
      .map((g) => g.trim().split(/\s+/).filter((t) => t !== '').map((id) => this.node(id).id));
    this.net.partition(groups, [...this.nodes.keys()]);
    return [];
  }

  private isolate(c: Command): string[] {
    this.net.isolate(this.ids(c).map((id) => this.node(id).id), [...this.nodes.keys()]);
    return [];
  }

  // --- crash, restart, compaction ---------------------------------------------------------

  private crash(c: Command): string[] {
    for (const id of this.ids(c)) {
      this.node(id).crash();
      this.net.clear(id);
    }
    return [];
  }

  private restart(c: Command): string[] {
    return this.ids(c).map((id) => {
      const node = this.node(id);
      if (node.up) throw new ScenarioError(`node ${id} is up; crash it first`);
      // Whatever reached the node while it was down was lost with it.
      this.net.clear(id);
      node.start();
      return this.stateLine(node);
    });
  }

  private compact(c: Command): string[] {
    const node = this.node(this.arg(c, 0, 'node'));
    const index = c.positional[1] === undefined ? node.applied : intArg(c.positional[1], 'index');
    const keep = c.keys.has('keep') ? intArg(c.keys.get('keep'), 'keep') : 0;
    node.compact(node.snapshotAt(index), keep);
    return this.raftLog(node, false);
  }

  /**
   * Replaces a down node's durable log and hard state, to start from a situation the paper
   * draws (Figure 7, Figure 8) without replaying how it arose.
   */
  private setLog(c: Command): string[] {
    const node = this.node(this.arg(c, 0, 'node'));
    if (node.up) throw new ScenarioError(`node ${node.id} is up; crash it first`);
    // `term` or `term:data`; equal (term, index) must carry equal data on every node (§5.3
    // Log Matching), so the default data is the same everywhere.
    const specs = listArg(c.keys.get('terms')).map((spec) => {
      const [term, data] = spec.split(':');
      const noop = data === 'noop';
      return { term: intArg(term, 'terms'), noop, data: encoder.encode(noop ? '' : (data ?? 'x')) };
    });
    const terms = specs.map((s) => s.term);
    const base = node.store.snapshot?.meta.index ?? 0;
    node.store.entries = specs.map((s, i) => ({
      term: s.term,
      index: base + i + 1,
      type: s.noop ? ('noop' as const) : ('normal' as const),
      data: s.data,
    }));
    const prev = node.store.hardState;
    node.store.hardState = {
      term: c.keys.has('term') ? intArg(c.keys.get('term'), 'term') : Math.max(prev?.term ?? 0, ...terms, 0),
      vote: c.keys.get('vote') ?? '',
      commit: c.keys.has('commit') ? intArg(c.keys.get('commit'), 'commit') : Math.min(prev?.commit ?? 0, base),
    };
    return this.raftLog(node, false);
  }

  /**
   * `chaos steps=N seed=S`: N random commands; prints a summary, or at the first safety
   * violation the violation and the commands that led to it.
   */
  private chaos(c: Command): string[] {
    const steps = c.keys.has('steps') ? intArg(c.keys.get('steps'), 'steps') : 200;
    const random = chaosRandom(c.keys.has('seed') ? intArg(c.keys.get('seed'), 'seed') : 1);
    const view: ChaosView = {
      nodeIds: () => [...this.nodes.keys()],
      isUp: (id) => this.node(id).up,
      sendersTo: (id) => this.net.senders(id),
      hasReady: (id) => this.node(id).mustCore().hasReady(),
      hasPendingWrites: (id) => this.node(id).hasPendingWrites,
      canCompact: (id) => {
        const n = this.node(id);
        return n.applied > (n.store.snapshot?.meta.index ?? 0) && n.store.entries.some((e) => e.index === n.applied);
      },
    };
    const history: string[] = [];
    for (let step = 1; step <= steps; step++) {
      const line = chaosStep(view, random, step);
      history.push(line);
      let out: string[];
      try {
        out = this.dispatch(parseCommand(line));
      } catch (err) {
        out = [`error: ${err instanceof Error ? err.message : String(err)}`];
      }
      const violations = [...out.filter((l) => l.includes('VIOLATION')), ...this.invariants.check(this.nodes.values())];
      if (violations.length > 0) {
        return [`after ${step} steps:`, ...violations, 'commands:', ...indent(history)];
      }
    }
    // Only the verdict: details of a healthy run change with any change in the core's timing.
    return [`${steps} steps, no violation`];
  }

  // --- inspection -----------------------------------------------------------------------

  private raftLog(node: SimNode, label: boolean): string[] {
    const out: string[] = [];
    if (node.store.hardState !== undefined) out.push(`HardState: ${fmt.hardState(node.store.hardState)}`);
    if (node.store.snapshot !== undefined) out.push(`snapshot ${fmt.snapshot(node.store.snapshot)}`);
    for (const e of node.store.entries) out.push(fmt.entry(e, decodeConf));
    if (node.store.entries.length === 0) out.push('no entries');
    return label ? [`> ${node.id}:`, ...indent(out)] : out;
  }

  private stateLine(node: SimNode): string {
    if (!node.up) return `${node.id} down`;
    const s = node.mustCore().status();
    const lead = s.lead === '' ? '-' : s.lead;
    return `${s.id} ${s.role} term=${s.term} lead=${lead} commit=${s.commit} applied=${node.applied} last=${s.lastTerm}/${s.lastIndex} ${fmt.confState(s.conf)}`;
  }

  private raftState(): string[] {
    return [...this.nodes.values()].map((n) => this.stateLine(n));
  }

  private applied(node: SimNode): string {
    const cmds = node.appliedCommands().map((a) => `${a.index}:${a.data}`);
    return `${node.id} applied=${node.applied} [${cmds.join(' ')}]`;
  }

  // --- helpers --------------------------------------------------------------------------

  private node(id: string): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new ScenarioError(`no node ${id}`);
    return n;
  }

  private arg(c: Command, i: number, what: string): string {
    const v = c.positional[i];
    if (v === undefined) throw new ScenarioError(`${c.name}: missing ${what}`);
    return v;
  }

  /** Runs `f` on each named node (or all), labelling the output when there are several. */
  private each(c: Command, f: (node: SimNode, label: boolean) => string[]): string[] {
    const ids = this.ids(c);
    return ids.flatMap((id) => f(this.node(id), ids.length > 1));
  }

  /** Positional node ids, or every node when none is given. */
  private ids(c: Command): string[] {
    return c.positional.length > 0 ? [...c.positional] : [...this.nodes.keys()];
  }
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `  ${l}`);
}

function outcome(o: ReturnType<RaftCore['propose']>): string {
  if (!o.ok) return `refused: ${o.reason}${o.leader !== '' ? ` leader=${o.leader}` : ''}`;
  if ('forwardedTo' in o) return `forwarded to ${o.forwardedTo}`;
  return `ok index=${o.index} term=${o.term}`;
}
