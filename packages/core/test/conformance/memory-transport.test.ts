import { describe, it } from 'vitest';
import { createMemoryNetwork, runConformance, transportConformance } from '../../src/testing/index.ts';

runConformance(
  transportConformance((ids) => {
    const network = createMemoryNetwork();
    return { transports: ids.map((id) => network.transport(id)) };
  }),
  { describe, it },
  { title: 'memory transport' },
);

runConformance(
  transportConformance((ids) => {
    // Reordering delays and duplicates are allowed by the contract; every message must still arrive.
    const network = createMemoryNetwork({ delayMs: { min: 0, max: 3 }, duplicateRate: 0.2 });
    return { transports: ids.map((id) => network.transport(id)) };
  }),
  { describe, it },
  { title: 'memory transport with delay and duplicates' },
);
