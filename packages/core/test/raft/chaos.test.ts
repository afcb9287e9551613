/**
 * Randomized runs over an unreliable network (drops, duplicates, reordering), asynchronous
 * persistence, crashes that lose unpersisted writes, snapshots and membership changes.
 * Checks Election Safety and State Machine Safety (Figure 3) at every step, and that the
 * cluster makes progress again once the faults stop.
 */
import { describe, expect, it } from 'vitest';
import { Network, seededRandom, str, text } from './network.ts';
import type { ConfChangeSingle, Message } from '../../src/raft/types.ts';
import type { RaftOptions } from '../../src/raft/contract.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { mutantRawNode } from '../mutant-cores.ts';

const pool = ['a', 'b', 'c', 'd', 'e'];

function runChaos(seed: number, steps: number, Core: typeof RawNode = RawNode, extra: Partial<RaftOptions> = {}): { terms: number; snaps: number; confs: number } {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const net = new Network(['a', 'b', 'c'], { snapshotChunkBytes: 16, maxSizePerMsg: 48, maxInflightMsgs: 4, ...extra }, undefined, Core);
  net.add('d');
  net.add('e');
  for (const n of net.nodes.values()) n.autoPersist = false;
  const leaderOf = new Map<number, string>();
  const appliedAt = new Map<number, string>();
  net.onApply = (n, e) => {
    const value = `${e.term}/${e.type}/${str(e.data)}`;
    const seen = appliedAt.get(e.index);
    if (seen !== undefined && seen !== value) {
      throw new Error(`seed ${seed}: State Machine Safety: ${n.id} applies ${value} at ${e.index}, another applied ${seen}`);
    }
    appliedAt.set(e.index, value);
  };
  const checkLeaders = (): void => {
    for (const n of net.nodes.values()) {
      if (!n.up) continue;
      const st = n.core.status();
      if (st.role !== 'leader') continue;
      const known = leaderOf.get(st.term);
      if (known !== undefined && known !== n.id) throw new Error(`seed ${seed}: Election Safety: ${known} and ${n.id} lead term ${st.term}`);
      leaderOf.set(st.term, n.id);
    }
  };
  let proposals = 0;
  let partitioned = false;
  const deliver = (m: Message): void => {
    const to = net.nodes.get(m.to);
    if (to === undefined || !to.up || !net.filters.every((f) => f(m))) return;
    to.core.step(m);
  };

  for (let step = 0; step < steps; step++) {
    for (const n of net.nodes.values()) {
      if (!n.up) continue;
      if (rand() < 0.3) n.core.tick();
      while (net.handleReady(n)) {
        // Hand out everything; durability comes later, in random batches.
      }
      if (rand() < 0.5) net.flush(n.id, 1 + Math.floor(rand() * 3));
    }
    const batch = net.queue;
    net.queue = [];
    for (const m of batch) {
      const fate = rand();
      if (fate < 0.1) continue;
      if (fate < 0.25) net.queue.push(m);
      else deliver(m);
      if (fate > 0.95) net.queue.push(m);
    }
    const node = net.node(pick(pool));
    const r = rand();
    if (r < 0.3) {
      if (node.up) node.core.propose(text(`p${proposals++}`));
    } else if (r < 0.34) {
      const st = node.core.status();
      if (node.up && st.role === 'leader') {
        const type = pick<ConfChangeSingle['type']>(['addVoter', 'addVoter', 'addLearner', 'remove']);
        const changes: ConfChangeSingle[] = [{ type, id: pick(pool) }];
        if (rand() < 0.3) changes.push({ type: 'addVoter', id: pick(pool) });
        node.core.proposeConfChange({ changes, transition: 'auto', context: new Uint8Array(0) });
      }
    } else if (r < 0.38) {
      if (node.up && node.unpersisted.length === 0 && node.appliedIndex > 0) net.snapshot(node.id, Math.floor(rand() * 3));
    } else if (r < 0.41) {
      if (node.up) net.crash(node.id);
      else {
        net.restart(node.id);
      }
    } else if (r < 0.43) {
      if (partitioned) net.heal();
      else {
        const cut = pool.filter(() => rand() < 0.5);
        net.partition(cut, pool.filter((id) => !cut.includes(id)));
      }
      partitioned = !partitioned;
    } else if (r < 0.44) {
      if (node.up) node.core.campaign();
    } else if (r < 0.45) {
      if (node.up) node.core.transferLeadership(pick(pool));
    }
    checkLeaders();
  }

  // Faults stop: everything comes back, writes become durable, messages flow reliably.
  net.heal();
  for (const n of net.nodes.values()) {
    if (!n.up) net.restart(n.id);
    net.flush(n.id);
    n.autoPersist = true;
  }
  for (let i = 0; i < 200; i++) {
    net.tickAll(1);
    checkLeaders();
  }
  const leader = net.leader();
  expect(leader, `seed ${seed}: no leader after healing`).toBeDefined();
  const id = leader as string;
  const out = net.core(id).propose(text('final'));
  expect(out.ok, `seed ${seed}: ${JSON.stringify(out)}`).toBe(true);
  net.tickAll(5);
  const members = net.core(id).status().conf;
  for (const m of [...members.voters, ...members.learners]) {
    expect(net.node(m).applied.at(-1), `seed ${seed}: ${m} did not apply the final entry`).toBe('final');
  }
  let snaps = 0;
  for (const n of net.nodes.values()) if (n.disk.snapshot !== undefined) snaps++;
  return { terms: leaderOf.size, snaps, confs: net.node(id).confStates.length };
}

describe('randomized fault runs (Figure 3 properties)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`seed ${seed}`, () => {
      const stats = runChaos(seed, 600);
      expect(stats.terms).toBeGreaterThan(0);
    });
  }
});

describe('randomized fault runs with lease reads, without PreVote and CheckQuorum', () => {
  for (let seed = 100; seed < 120; seed++) {
    it(`seed ${seed}`, () => {
      runChaos(seed, 600, RawNode, { readOnly: 'lease', heartbeatTicks: 3 });
      runChaos(seed, 600, RawNode, { preVote: false, checkQuorum: false });
    });
  }
});

describe('the randomized checks have teeth', () => {
  for (const mutant of ['applyBeforeCommit', 'noStepDownOnHigherTerm', 'voteWithoutLogCheck'] as const) {
    it(`catch the ${mutant} mutant`, async () => {
      const Broken = await mutantRawNode(mutant);
      let caught = 0;
      for (let seed = 1; seed <= 60 && caught === 0; seed++) {
        try {
          runChaos(seed, 600, Broken);
        } catch {
          caught++;
        }
      }
      expect(caught).toBeGreaterThan(0);
    });
  }
});
