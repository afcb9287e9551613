import { describe, it } from 'vitest';
import { MemoryLogStore, createMemoryLogData, type MemoryLogData } from '../../src/index.ts';
import { logStoreConformance, runConformance } from '../../src/testing/index.ts';

function memoryStores(options: { latencyMs?: number } = {}) {
  const disks = new Map<string, MemoryLogData>();
  return (name: string) => {
    let data = disks.get(name);
    if (data === undefined) disks.set(name, (data = createMemoryLogData()));
    return new MemoryLogStore({ data, ...options });
  };
}

runConformance(logStoreConformance(memoryStores()), { describe, it }, { title: 'MemoryLogStore' });
runConformance(
  logStoreConformance(memoryStores({ latencyMs: 1 }), { crash: (store) => (store as MemoryLogStore).crash() }),
  { describe, it },
  { title: 'MemoryLogStore with 1 ms latency' },
);
