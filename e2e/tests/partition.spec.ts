import { test } from './harness/fixtures.ts';
import type { TransportKind } from './harness/cluster.ts';
import { isolateLeader } from './scenarios.ts';

const clusters: { transport: TransportKind; nodes: string[] }[] = [
  { transport: 'broadcast', nodes: ['a', 'b', 'c', 'd', 'e'] },
  { transport: 'relay', nodes: ['a', 'b', 'c'] },
  { transport: 'webrtc', nodes: ['a', 'b', 'c'] },
];

for (const { transport, nodes } of clusters) {
  test(`isolating the leader's tab over ${transport} (${nodes.length} tabs)`, async ({ openCluster }, info) => {
    const cluster = await openCluster({ nodes, transport });
    await isolateLeader(cluster, info);
  });
}
