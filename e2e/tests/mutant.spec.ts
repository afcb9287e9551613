/**
 * The suite must be able to fail: against a core that keeps leading after it learns of a
 * higher term (`noStepDownOnHigherTerm` from `@webraft/core/testing`), the asymmetric
 * partition scenario sees two leaders in one term.
 */
import { expect, test } from '@playwright/test';
import { Cluster } from './harness/cluster.ts';
import { leaderCannotSend } from './scenarios.ts';

test('a broken core (noStepDownOnHigherTerm) is caught by the asymmetric partition scenario', async ({}, info) => {
  const cluster = await Cluster.open({ nodes: ['a', 'b', 'c'], mutant: 'noStepDownOnHigherTerm' });
  try {
    await expect(leaderCannotSend(cluster, info)).rejects.toThrow(/at most one leader per term/);
    const started = cluster.recorder.events.filter((e) => /^started .*mutant noStepDownOnHigherTerm$/.test(e.text));
    expect(started.length, 'every node ran the broken core').toBe(3);
  } finally {
    await cluster.close(info);
  }
});
