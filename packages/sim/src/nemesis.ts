/**
 * The seeded fault schedule of a fuzz run: partitions (random splits, isolated nodes,
 * one-way links), slow links, healing, crashes with later restarts (often the leader, also
 * while a learner is being promoted), wiped disks coming back under the same id, failing and
 * slow disks, lossy / duplicating / slow networks, membership changes (joint swaps included),
 * nodes joining and leaving on their own, leadership transfers, forced campaigns, snapshots
 * on demand and clock-rate changes. Two faults are sequences aimed at what a random schedule
 * almost never lines up: a leader's lease outliving a voter's restart, and an uncommitted tail
 * overwritten on one node while another still holds it and will commit it. Every choice is
 * drawn from the simulation's random source, so the seed decides the whole schedule.
 */
import type { ConfChangeSingle, NodeId } from '@webraft/core';
import type { SimAction } from './actions.ts';
import type { SimNode } from './sim-node.ts';
import type { Simulation } from './simulation.ts';

export interface NemesisOptions {
  /** Pause between faults, virtual ms. @default [30, 600] */
  readonly intervalMs?: readonly [number, number];
  /** How long a crashed node stays down, virtual ms. @default [20, 1500] */
  readonly downMs?: readonly [number, number];
  /** Clock-rate changes scale a node's tick length by a factor in this range. @default [0.8, 1.2] */
  readonly tickScale?: readonly [number, number];
  /** Most disks wiped in one run (a wiped voter needs a leader's help to vote again). @default 2 */
  readonly maxWipes?: number;
  /**
   * How the two sequences that need client traffic through one node (reads through a leader
   * about to be cut off, writes through a leader about to lose its tail) get it. By default
   * they send key-value requests of their own; a world whose nodes run another state machine
   * gives this instead, and the sequences steer that world's clients to `node` for `forMs`
   * virtual ms.
   */
  readonly steerClients?: (node: NodeId, forMs: number) => void;
}

/** A fault that waits for the cluster to reach a state, checked after every step. */
interface Watch {
  readonly until: number;
  /** The actions to take now (and the next stage of the sequence, if any), or undefined to keep waiting. */
  readonly test: () => { readonly actions: readonly SimAction[]; readonly next?: Watch } | undefined;
}

export class Nemesis {
  private watch: Watch | undefined;
  private firing: readonly SimAction[] | undefined;
  /** Random faults pause while a sequence runs, and until this virtual time after it. */
  private quietUntil = -Infinity;
  private readonly interval: readonly [number, number];
  private readonly down: readonly [number, number];
  private readonly tick: readonly [number, number];
  private wipesLeft: number;
  private lastWipeAt = -Infinity;
  private readonly steerClients: ((node: NodeId, forMs: number) => void) | undefined;

  constructor(
    private readonly sim: Simulation,
    options: NemesisOptions = {},
  ) {
    this.interval = options.intervalMs ?? [30, 600];
    this.down = options.downMs ?? [20, 1500];
    this.tick = options.tickScale ?? [0.8, 1.2];
    this.wipesLeft = options.maxWipes ?? 2;
    this.steerClients = options.steerClients;
  }

  nextDelay(): number {
    return this.sim.random.between(this.interval[0], this.interval[1]);
  }

  /** Whether a fault waiting for the cluster's state is due (the runner asks after every step). */
  due(): boolean {
    const watch = this.watch;
    if (watch === undefined) return false;
    if (this.sim.now > watch.until) {
      this.watch = undefined;
      return false;
    }
    const fired = watch.test();
    if (fired === undefined) return false;
    this.firing = fired.actions;
    this.watch = fired.next;
    return true;
  }

  /** Performs the fault that {@link due} found due. */
  async fireDue(): Promise<void> {
    const actions = this.firing ?? [];
    this.firing = undefined;
    for (const action of actions) await this.sim.perform(action);
  }

  /** Performs one random fault now (none while a sequence of faults plays out). */
  async strike(): Promise<void> {
    if (this.watch !== undefined || this.sim.now < this.quietUntil) return;
    const chosen = this.choose();
    for (const action of chosen === undefined ? [] : Array.isArray(chosen) ? chosen : [chosen]) await this.sim.perform(action);
  }

  private choose(): SimAction | readonly SimAction[] | undefined {
    const sim = this.sim;
    const r = sim.random;
    const ids = sim.nodeIds();
    const roll = r.next();
    if (roll < 0.13) return { type: 'partition', groups: this.split(ids) };
    if (roll < 0.23) {
      const victim = this.leaderOr(r.pick(ids));
      const rest = ids.filter((id) => id !== victim);
      return { type: 'partition', groups: r.chance(0.5) ? [rest, [victim]] : [rest] };
    }
    if (roll < 0.31) {
      const from = r.chance(0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids);
      return { type: 'link', from, to: r.pick(ids.filter((id) => id !== from)), up: false };
    }
    if (roll < 0.37) {
      const from = r.pick(ids);
      const to = r.chance(0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids);
      return from === to ? undefined : { type: 'slowLink', from, to, extraMs: r.between(50, 600) };
    }
    if (roll < 0.48) return { type: 'heal' };
    if (roll < 0.52) {
      // Often the leader, and often while a learner is catching up to be promoted.
      const learner = this.sim.leader()?.conf.learners.length ?? 0;
      const victim = r.chance(learner > 0 ? 0.8 : 0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids);
      this.restartLater(victim);
      return { type: 'crash', node: victim };
    }
    if (roll < 0.57) return this.isolateLeaderAndRestartVoters();
    if (roll < 0.6) return this.overwriteUncommittedTail();
    if (roll < 0.63) return this.wipe();
    if (roll < 0.67) {
      const node = r.pick(ids);
      return r.chance(0.3)
        ? { type: 'disk', node, failWrites: 1 }
        : { type: 'disk', node, speed: r.chance(0.7) ? 'slow' : r.chance(0.8) ? 'fast' : 'stalling' };
    }
    if (roll < 0.72) return this.membershipChange();
    if (roll < 0.75) return this.joinOrLeave();
    if (roll < 0.83) {
      const loss = r.chance(0.5);
      return {
        type: 'network',
        conditions: {
          dropRate: loss ? r.between(0, 0.25) : 0,
          duplicateRate: r.chance(0.5) ? r.between(0, 0.3) : 0,
          minDelayMs: r.between(0.2, 2),
          maxDelayMs: r.between(2, 30),
          longDelayRate: r.chance(0.5) ? r.between(0, 0.3) : 0,
          longDelayMs: r.between(50, 600),
        },
      };
    }
    if (roll < 0.89) {
      const leader = this.leader();
      return leader === undefined ? undefined : { type: 'transfer', node: leader, to: r.pick(ids.filter((id) => id !== leader)) };
    }
    if (roll < 0.92) return { type: 'campaign', node: r.pick(ids) };
    if (roll < 0.95) return { type: 'snapshot', node: r.chance(0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids) };
    const node = r.pick(ids);
    return { type: 'clock', node, tickMs: sim.baseTickMs * r.between(this.tick[0], this.tick[1]) };
  }

  /**
   * Thesis §6.4.1. The leader is cut off while voters that acknowledged it restart, clients
   * keep reading through it, and another voter campaigns as soon as they are back. The
   * leader's lease still counts the restarted voters' acknowledgements, so they must not help
   * elect anyone until an election timeout of their own has passed, or the old leader serves
   * stale reads from its lease.
   */
  private isolateLeaderAndRestartVoters(): readonly SimAction[] | undefined {
    const sim = this.sim;
    const r = sim.random;
    const leader = sim.leader();
    if (leader === undefined || leader.conf.votersOutgoing.length > 0) return undefined;
    const voters = r.shuffle(leader.conf.voters.filter((id) => id !== leader.id && sim.node(id).up));
    const quorum = Math.floor(leader.conf.voters.length / 2) + 1;
    if (voters.length < quorum) return undefined;
    const victims = voters.slice(0, quorum - 1);
    const candidate = voters[quorum - 1] as NodeId;
    const restartAt = sim.now + r.between(5, 40);
    for (const node of victims) sim.schedule(restartAt, { type: 'restart', node });
    if (this.steerClients !== undefined) this.steerClients(leader.id, 120);
    else {
      for (let i = 0; i < 12; i++) {
        const input = { op: 'get', key: `k${r.int(1, 3)}` } as const;
        sim.schedule(sim.now + 10 * i, { type: 'request', input, read: 'readIndex', via: leader.id });
      }
    }
    this.watch = {
      until: restartAt + 1000,
      test: () => {
        if (!victims.every((id) => sim.node(id).up)) return undefined;
        this.quietUntil = sim.now + 500;
        return { actions: [{ type: 'campaign', node: candidate }] };
      },
    };
    return [
      ...victims.map((node): SimAction => ({ type: 'crash', node })),
      { type: 'partition', groups: [sim.nodeIds().filter((id) => id !== leader.id), [leader.id]] },
    ];
  }

  /**
   * An uncommitted tail lost on one node but kept on another. The leader X and a follower A are
   * cut off from the rest, X still taking proposals (A copies them, nothing commits); once the
   * rest elect a leader Z, Z alone reaches X and overwrites X's tail; then X, cut off with the
   * rest but A and Z, is elected again and appends the proposals that queued up meanwhile at
   * indexes its lost tail had held; the moment it leads, it is cut off, and A campaigns among
   * the rest, where its copy of the tail is the most up-to-date log: the tail commits after
   * all. So X may call a proposal definitely failed only once another entry is known committed
   * at its index — never because its own copy was overwritten.
   */
  private overwriteUncommittedTail(): SimAction | undefined {
    const sim = this.sim;
    const leader = sim.leader();
    if (leader === undefined || leader.conf.votersOutgoing.length > 0 || leader.conf.voters.length < 5) return undefined;
    const x = leader.id;
    const a = sim.random.pick(leader.conf.voters.filter((id) => id !== x));
    const rest = sim.nodeIds().filter((id) => id !== x && id !== a);
    const leaderOf = (ids: readonly NodeId[], above: number): SimNode | undefined =>
      ids.map((id) => sim.node(id)).find((n) => n.role === 'leader' && n.hardState.term > above);
    const soon = (): number => sim.now + 2000;
    this.watch = {
      until: soon(),
      test: () => {
        const z = leaderOf(rest, leader.hardState.term);
        if (z === undefined) return undefined;
        const others = rest.filter((id) => id !== z.id);
        const zTerm = z.hardState.term;
        return {
          actions: [{ type: 'partition', groups: [[z.id, x], [a, ...others]] }],
          next: {
            until: soon(),
            test: () => {
              const log = sim.node(x).log;
              if (log.termAt(log.lastIndex) !== zTerm) return undefined;
              return {
                actions: [
                  { type: 'partition', groups: [[x, ...others], [a], [z.id]] },
                  { type: 'campaign', node: x },
                ],
                next: {
                  until: soon(),
                  test: () => {
                    if (leaderOf([x], zTerm) === undefined) return undefined;
                    this.quietUntil = sim.now + 800;
                    return {
                      actions: [
                        { type: 'partition', groups: [[x], [z.id], [a, ...others]] },
                        { type: 'campaign', node: a },
                      ],
                    };
                  },
                },
              };
            },
          },
        };
      },
    };
    // Proposals through X while it still leads its side, one at a time: its tail to lose.
    if (this.steerClients !== undefined) this.steerClients(x, 50);
    else {
      for (let i = 0; i < 6; i++) {
        const input = { op: 'put', key: `k${sim.random.int(1, 3)}`, value: `tail.${sim.steps}.${i}` } as const;
        sim.schedule(sim.now + 2 + 8 * i, { type: 'request', input, via: x, attemptTimeoutMs: 2000 });
      }
    }
    return { type: 'partition', groups: [[x, a], rest] };
  }

  private restartLater(node: NodeId): void {
    const r = this.sim.random;
    this.sim.schedule(this.sim.now + r.between(this.down[0], this.down[1]), { type: 'restart', node });
  }

  /**
   * Empties one node's disk, rarely, and only while every voter runs: a cluster that lost the
   * state of two voters before either was readmitted has lost a majority's memory, which no
   * protocol can recover from.
   */
  private wipe(): SimAction | undefined {
    const sim = this.sim;
    if (this.wipesLeft <= 0 || sim.now - this.lastWipeAt < 3000 || sim.leader() === undefined) return undefined;
    // The latest configuration any node applied (a deposed leader's may be stale), with no change after it in any log.
    const up = sim.nodeIds().map((id) => sim.node(id)).filter((n) => n.up);
    const latest = up.reduce<SimNode | undefined>((best, n) => (best === undefined || appliedOf(n) > appliedOf(best) ? n : best), undefined);
    if (latest === undefined || up.some((n) => changePending(n, appliedOf(latest)))) return undefined;
    const voters = latest.conf.voters;
    if (voters.length < 3 || !this.allAdmitted(voters)) return undefined;
    const victim = sim.random.pick(voters);
    this.wipesLeft--;
    this.lastWipeAt = sim.now;
    this.restartLater(victim);
    return { type: 'wipe', node: victim };
  }

  /**
   * Adds a node outside the configuration as a learner, promotes a learner bound to its store
   * (alone, or swapped for a voter through a joint configuration), or removes a voter. Where the
   * configuration binds stores, only a bound learner can become a voter; the core refuses
   * anything else, and a learner binds itself once it has learned the configuration.
   */
  private membershipChange(): SimAction | undefined {
    const r = this.sim.random;
    const leader = this.sim.leader();
    if (leader === undefined || leader.conf.votersOutgoing.length > 0) return undefined;
    const conf = leader.conf;
    const voters = conf.voters;
    const members = [...voters, ...conf.learners];
    const outside = this.sim.nodeIds().filter((id) => !members.includes(id) && !this.sim.node(id).left);
    const promotable = conf.learners.filter((id) => conf.stores === undefined || Object.hasOwn(conf.stores, id));
    // Removing a voter while another waits to be readmitted could leave no quorum of voters
    // that may vote: an operator's mistake, not a fault to recover from.
    const removable = voters.length > 2 && this.allAdmitted(voters);
    let changes: ConfChangeSingle[];
    const roll = r.next();
    if (promotable.length > 0 && roll < 0.5) {
      changes = [{ type: 'addVoter', id: r.pick(promotable) }];
      if (removable && r.chance(0.3)) changes.push({ type: 'remove', id: r.pick(voters) });
    } else if (outside.length > 0 && (roll < 0.8 || !removable)) {
      changes = [{ type: 'addLearner', id: r.pick(outside) }];
    } else if (removable) {
      changes = [{ type: 'remove', id: r.pick(voters) }];
    } else {
      return undefined;
    }
    const via = r.chance(0.8) ? leader.id : r.pick(this.sim.nodeIds());
    return { type: 'confChange', node: via, change: { changes, transition: 'auto', context: new Uint8Array(0) } };
  }

  /** A node outside the configuration asks to join; or a voter of a large enough cluster asks to leave. */
  private joinOrLeave(): SimAction | undefined {
    const sim = this.sim;
    const r = sim.random;
    const leader = sim.leader();
    if (leader === undefined) return undefined;
    const conf = leader.conf;
    const members = [...conf.voters, ...conf.learners];
    const outside = sim.nodeIds().filter((id) => !members.includes(id) && sim.node(id).up && sim.node(id).conf.voters.length === 0);
    if (outside.length > 0 && r.chance(0.7)) {
      return { type: 'join', node: r.pick(outside), via: r.shuffle(members).slice(0, 2), learner: r.chance(0.2) };
    }
    if (conf.voters.length > 3 && conf.votersOutgoing.length === 0 && this.allAdmitted(conf.voters)) {
      return { type: 'leave', node: r.pick(conf.voters) };
    }
    return undefined;
  }

  /** Every one of `voters` runs and may vote (none lost its state and waits to be readmitted). */
  private allAdmitted(voters: readonly NodeId[]): boolean {
    return voters.every((id) => this.sim.node(id).raft?.status().admitted === true);
  }

  private split(ids: readonly NodeId[]): NodeId[][] {
    const r = this.sim.random;
    const shuffled = r.shuffle(ids);
    const groups = ids.length >= 5 && r.chance(0.3) ? 3 : 2;
    const cuts = new Set<number>();
    while (cuts.size < groups - 1) cuts.add(r.int(1, ids.length - 1));
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), ids.length];
    const out: NodeId[][] = [];
    for (let i = 0; i + 1 < bounds.length; i++) out.push(shuffled.slice(bounds[i], bounds[i + 1]));
    return out;
  }

  private leader(): NodeId | undefined {
    return this.sim.leader()?.id;
  }

  private leaderOr(fallback: NodeId): NodeId {
    return this.leader() ?? fallback;
  }
}

function appliedOf(node: SimNode): number {
  return node.raft?.status().applied ?? 0;
}

/** Whether `node` holds a configuration change past `applied` (it may shrink the cluster). */
function changePending(node: SimNode, applied: number): boolean {
  return node.log.entries.some((e) => e.type === 'config' && e.index > applied);
}
