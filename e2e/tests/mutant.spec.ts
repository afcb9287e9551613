/**
 * The suite must be able to fail: against a core that hands out entries for applying before
 * they commit (`applyBeforeCommit` from `@webraft/core/testing`), a leader cut off from the
 * majority acknowledges a write it could never commit, and the partition scenario says so.
 */
import { expect, test } from './harness/fixtures.ts';
import { isolateLeader } from './scenarios.ts';

test('a broken core (applyBeforeCommit) is caught by the partition scenario', async ({ openCluster }, info) => {
  const cluster = await openCluster({ nodes: ['a', 'b', 'c'], mutant: 'applyBeforeCommit' });
  await expect(isolateLeader(cluster, info)).rejects.toThrow(/a write on the minority side is never acknowledged/);
  const started = cluster.recorder.events.filter((e) => /^started .*mutant applyBeforeCommit$/.test(e.text));
  expect(started.length, 'every node ran the broken core').toBe(3);
});
