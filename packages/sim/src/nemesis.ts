/**
 * The seeded fault schedule of a fuzz run: partitions (random splits, isolated nodes,
 * one-way links), slow links, healing, crashes with later restarts, lossy / duplicating / slow
 * networks, membership changes, leadership transfers, forced campaigns and clock-rate changes. Every choice is
 * drawn from the simulation's random source, so the seed decides the whole schedule.
 */
import type { ConfChangeSingle, NodeId } from '@webraft/core';
import type { SimAction } from './actions.ts';
import type { Simulation } from './simulation.ts';

export interface NemesisOptions {
  /** Pause between faults, virtual ms. @default [30, 600] */
  readonly intervalMs?: readonly [number, number];
  /** How long a crashed node stays down, virtual ms. @default [20, 1500] */
  readonly downMs?: readonly [number, number];
  /** Clock-rate changes scale a node's tick length by a factor in this range. @default [0.8, 1.2] */
  readonly tickScale?: readonly [number, number];
}

export class Nemesis {
  private readonly interval: readonly [number, number];
  private readonly down: readonly [number, number];
  private readonly tick: readonly [number, number];

  constructor(
    private readonly sim: Simulation,
    options: NemesisOptions = {},
  ) {
    this.interval = options.intervalMs ?? [30, 600];
    this.down = options.downMs ?? [20, 1500];
    this.tick = options.tickScale ?? [0.8, 1.2];
  }

  nextDelay(): number {
    return this.sim.random.between(this.interval[0], this.interval[1]);
  }

  /** Performs one random fault now. */
  strike(): void {
    const sim = this.sim;
    const r = sim.random;
    const ids = sim.nodeIds();
    const roll = r.next();
    let action: SimAction;
    if (roll < 0.15) {
      action = { type: 'partition', groups: this.split(ids) };
    } else if (roll < 0.27) {
      const victim = this.leaderOr(r.pick(ids));
      action = { type: 'partition', groups: [ids.filter((id) => id !== victim)] };
      if (r.chance(0.5)) action = { type: 'partition', groups: [ids.filter((id) => id !== victim), [victim]] };
    } else if (roll < 0.37) {
      const from = r.chance(0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids);
      const to = r.pick(ids.filter((id) => id !== from));
      action = { type: 'link', from, to, up: false };
    } else if (roll < 0.45) {
      const from = r.pick(ids);
      const to = r.chance(0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids);
      if (from === to) return;
      action = { type: 'slowLink', from, to, extraMs: r.between(50, 600) };
    } else if (roll < 0.58) {
      action = { type: 'heal' };
    } else if (roll < 0.72) {
      const victim = r.chance(0.5) ? this.leaderOr(r.pick(ids)) : r.pick(ids);
      action = { type: 'crash', node: victim };
      sim.schedule(sim.now + r.between(this.down[0], this.down[1]), { type: 'restart', node: victim });
    } else if (roll < 0.77) {
      const change = this.membershipChange();
      if (change === undefined) return;
      action = change;
    } else if (roll < 0.86) {
      const loss = r.chance(0.5);
      action = {
        type: 'network',
        conditions: {
          dropRate: loss ? r.between(0, 0.25) : 0,
          duplicateRate: r.chance(0.5) ? r.between(0, 0.2) : 0,
          minDelayMs: r.between(0.2, 2),
          maxDelayMs: r.between(2, 30),
          longDelayRate: r.chance(0.5) ? r.between(0, 0.3) : 0,
          longDelayMs: r.between(50, 600),
        },
      };
    } else if (roll < 0.92) {
      const leader = this.leader();
      if (leader === undefined) return;
      action = { type: 'transfer', node: leader, to: r.pick(ids.filter((id) => id !== leader)) };
    } else if (roll < 0.95) {
      action = { type: 'campaign', node: r.pick(ids) };
    } else {
      const node = r.pick(ids);
      action = { type: 'clock', node, tickMs: sim.baseTickMs * r.between(this.tick[0], this.tick[1]) };
    }
    sim.perform(action);
  }

  /** Adds a node that is not a voter (as voter or learner), removes a voter, or swaps one for another. */
  private membershipChange(): SimAction | undefined {
    const r = this.sim.random;
    const leader = this.sim.leader();
    if (leader === undefined || leader.conf.votersOutgoing.length > 0) return undefined;
    const voters = leader.conf.voters;
    const outside = this.sim.nodeIds().filter((id) => !voters.includes(id));
    let changes: ConfChangeSingle[];
    if (outside.length > 0 && (voters.length <= 2 || r.chance(0.6))) {
      const id = r.pick(outside);
      const asLearner = !leader.conf.learners.includes(id) && r.chance(0.3);
      changes = [{ type: asLearner ? 'addLearner' : 'addVoter', id }];
      if (!asLearner && voters.length > 2 && r.chance(0.3)) changes.push({ type: 'remove', id: r.pick(voters) });
    } else if (voters.length > 2) {
      changes = [{ type: 'remove', id: r.pick(voters) }];
    } else {
      return undefined;
    }
    const via = r.chance(0.8) ? leader.id : r.pick(this.sim.nodeIds());
    return { type: 'confChange', node: via, change: { changes, transition: 'auto', context: new Uint8Array(0) } };
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
