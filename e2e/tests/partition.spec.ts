import { test } from '@playwright/test';
import { Cluster, type TransportKind } from './harness/cluster.ts';
import { isolateLeader } from './scenarios.ts';

const clusters: { transport: TransportKind; nodes: string[] }[] = [
  { transport: 'broadcast', nodes: ['a', 'b', 'c', 'd', 'e'] },
  { transport: 'relay', nodes: ['a', 'b', 'c'] },
  { transport: 'webrtc', nodes: ['a', 'b', 'c'] },
];

for (const { transport, nodes } of clusters) {
  test(`isolating the leader's tab over ${transport} (${nodes.length} tabs)`, async ({}, info) => {
    const cluster = await Cluster.open({ nodes, transport });
    try {
      await isolateLeader(cluster, info);
    } finally {
      await cluster.close(info);
    }
  });
}
