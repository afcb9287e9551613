/**
 * `test` with an `openCluster` fixture: clusters opened in a test are closed after it, once
 * its outcome is known, so a failed test leaves screenshots of every tab beside its history
 * and event logs.
 */
import { test as base } from '@playwright/test';
import { Cluster, type ClusterOptions } from './cluster.ts';

export const test = base.extend<{ openCluster: (options: ClusterOptions) => Promise<Cluster> }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; it has none
  openCluster: async ({}, use, info) => {
    const opened: Cluster[] = [];
    await use(async (options) => {
      const cluster = await Cluster.open(options);
      opened.push(cluster);
      return cluster;
    });
    for (const cluster of opened) await cluster.close(info);
  },
});

export { expect } from '@playwright/test';
