/**
 * Grows a 3-node cluster to 5 by joins and shrinks it back to 3 by leaves and a removal, under
 * partitions and message loss, while clients write: no acknowledged write is lost and every
 * replica converges.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestCluster, type KvNode } from './cluster.ts';
import { seededRandom } from './fake-clock.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

type Outcome<T> = { done: boolean; value?: T; error?: unknown };

function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { done: false };
  promise.then(
    (value) => Object.assign(outcome, { done: true, value }),
    (error: unknown) => Object.assign(outcome, { done: true, error }),
  );
  return outcome;
}

/** With `snapshots`, joiners catch up from a snapshot and join entries are compacted away. */
async function growAndShrink(seed: number, snapshots: boolean): Promise<void> {
  const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { seed, node: { requestTimeoutMs: 3000, ...(snapshots ? { snapshotEvery: 20, snapshotKeepEntries: 5 } : {}) } }));
  const random = seededRandom(seed * 7919);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  await c.elect();
  const acked = new Map<string, string>();
  let written = 0;
  const live = (): KvNode[] => [...c.nodes.values()].filter((n) => n.status().state === 'running');

  const write = (): void => {
    const node = pick(live());
    const key = `w${written++}`;
    node.propose({ op: 'put', key, value: key }, { timeoutMs: 2000 }).then(
      () => acked.set(key, key),
      () => undefined, // unknown or refused: may or may not be applied, never checked
    );
  };
  let elapsedSteps = 0;
  /** Every second of virtual time: heal, then maybe a new partition and loss rate. */
  const chaos = (): void => {
    if (++elapsedSteps % 20 !== 0) return;
    c.network.healAll();
    const roll = random();
    const ids = live().map((n) => n.id);
    if (roll < 0.35) c.network.isolate(pick(ids));
    else if (roll < 0.6) {
      const leader = c.leader();
      if (leader !== undefined) c.network.isolate(leader.id);
    } else if (roll < 0.8) {
      const shuffled = [...ids].sort(() => random() - 0.5);
      c.network.partition(shuffled.slice(0, 2), shuffled.slice(2));
    }
    c.network.setDropRate(random() < 0.5 ? 0.05 : 0);
  };
  /** Runs writes and faults for `steps` × 50 ms, or until `done()`. */
  const churn = async (steps: number, done: () => boolean = () => false): Promise<void> => {
    for (let step = 1; step <= steps && !done(); step++) {
      chaos();
      if (random() < 0.6) write();
      await c.clock.advance(50);
    }
  };
  /** Faults stop until `outcome` settles (a bounded calm lets a stuck request through). */
  const settle = async <T>(outcome: Outcome<T>, what: string): Promise<T> => {
    await churn(400, () => outcome.done);
    c.network.healAll();
    c.network.setDropRate(0);
    for (let i = 0; i < 1200 && !outcome.done; i++) {
      if (i % 4 === 0) write();
      await c.clock.advance(50);
    }
    if (!outcome.done) throw new Error(`${what} did not finish`);
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.value as T;
  };

  await churn(60);
  // Grow: d and e join concurrently, through different members, under faults; a is cut off
  // when they start, so whoever asks it first must move on.
  c.network.healAll();
  c.network.isolate('a');
  const d = await c.boot('d', { members: undefined });
  const e = await c.boot('e', { members: undefined });
  const joinD = track(d.join({ via: ['a', 'b', 'c'], timeoutMs: 120_000 }));
  const joinE = track(e.join({ via: ['c', 'b', 'a'], timeoutMs: 120_000 }));
  expect((await settle(joinD, 'join of d')).voters).toContain('d');
  expect((await settle(joinE, 'join of e')).voters).toContain('e');
  const five = (): boolean => [...d.members().voters].sort().join('') === 'abcde';
  await churn(400, five);
  expect(five()).toBe(true);
  await churn(100);

  // Shrink: a leaves (it may be leading), then d leaves or is removed, under faults.
  await settle(track(c.node('a').leave({ timeoutMs: 120_000 })), 'leave of a');
  c.nodes.delete('a');
  await churn(60);
  if (seed % 3 === 0) {
    // A removal asked of whoever leads, again after each refusal or timeout.
    let removed = false;
    for (let attempt = 0; attempt < 40 && !removed; attempt++) {
      const leader = c.leader();
      if (leader === undefined) {
        await churn(10);
        continue;
      }
      const outcome = track(leader.removeMember('d', { timeoutMs: 3000 }));
      await churn(80, () => outcome.done);
      removed = outcome.done && outcome.error === undefined;
    }
    expect(removed).toBe(true);
    await c.stop('d');
  } else {
    await settle(track(c.node('d').leave({ timeoutMs: 120_000 })), 'leave of d');
    c.nodes.delete('d');
  }
  await churn(100);

  // Calm: everything converges.
  c.network.healAll();
  c.network.setDropRate(0);
  const final = ['b', 'c', 'e'];
  const leader = await c.elect(30_000);
  expect([...leader.members().voters].sort()).toEqual(final);
  const marker = await c.run(leader.propose({ op: 'put', key: 'end', value: 'end' }, { timeoutMs: 10_000 }), 30_000);
  expect(marker).toBeUndefined();
  await c.clock.until(() => final.every((id) => c.node(id).stateMachine.get('end') === 'end'), 30_000);
  const images = final.map((id) => JSON.stringify([...c.node(id).stateMachine.data].sort()));
  expect(new Set(images).size).toBe(1);
  const data = c.node('b').stateMachine.data;
  const lost = [...acked.keys()].filter((key) => data.get(key) !== acked.get(key));
  expect(lost).toEqual([]);
  expect(acked.size).toBeGreaterThan(20);
  for (const id of final) expect([...c.node(id).members().voters].sort()).toEqual(final);
}

describe('membership under faults', () => {
  // MEMBERSHIP_SEEDS=N runs seeds 1..N instead.
  const seeds = process.env.MEMBERSHIP_SEEDS === undefined ? [1, 2, 3, 4, 5, 6] : Array.from({ length: Number(process.env.MEMBERSHIP_SEEDS) }, (_, i) => i + 1);
  for (const seed of seeds) {
    const snapshots = seed % 2 === 0;
    it(`grows 3 → 5 by joins and shrinks 5 → 3 by leaves and removals, under partitions and loss, losing no acknowledged write (seed ${seed}${snapshots ? ', snapshots' : ''})`, async () => {
      await growAndShrink(seed, snapshots);
    }, 120_000);
  }
});
