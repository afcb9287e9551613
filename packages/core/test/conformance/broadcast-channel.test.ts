import { describe, it } from 'vitest';
import { broadcastChannelTransport } from '../../src/index.ts';
import { runConformance, transportConformance } from '../../src/testing/index.ts';

let run = 0;

runConformance(
  transportConformance((ids) => {
    const channel = `bc-conformance-${run++}`;
    return { transports: ids.map((nodeId) => broadcastChannelTransport({ channel, nodeId, clusterId: 'c' })) };
  }),
  { describe, it },
  { title: 'BroadcastChannel transport' },
);

runConformance(
  transportConformance((ids) => {
    const channel = `bc-conformance-secret-${run++}`;
    return { transports: ids.map((nodeId) => broadcastChannelTransport({ channel, nodeId, secret: 'shared secret' })) };
  }),
  { describe, it },
  { title: 'BroadcastChannel transport with a secret' },
);
