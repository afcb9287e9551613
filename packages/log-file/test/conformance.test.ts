import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogStore } from '@webraft/core';
import { logStoreConformance, runConformance, seededRandom } from '@webraft/core/testing';
import { afterAll, describe, it } from 'vitest';
import { fileLogStore } from '../src/index.ts';
import { FaultFileSystem } from './fault-fs.ts';

const root = mkdtempSync(join(tmpdir(), 'log-file-conformance-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

runConformance(
  logStoreConformance((name) => fileLogStore({ dir: join(root, name), segmentBytes: 4096 })),
  { describe, it },
  { title: 'FileLogStore (real files, 4 KiB segments) conformance' },
);

// The same suite on a disk that loses unsynced bytes: `crash` cuts the power.
const disks = new Map<string, FaultFileSystem>();
const stores = new Map<LogStore, string>();
const power = seededRandom(7);
runConformance(
  logStoreConformance(
    (name) => {
      let disk = disks.get(name);
      if (disk === undefined) disks.set(name, (disk = new FaultFileSystem()));
      const store = fileLogStore({ dir: `/logs/${name}`, segmentBytes: 4096, fileSystem: disk, lockHost: disk.lockHost });
      stores.set(store, name);
      return store;
    },
    {
      crash: (store) => {
        const name = stores.get(store)!;
        disks.set(name, disks.get(name)!.crash(power));
      },
    },
  ),
  { describe, it },
  { title: 'FileLogStore (simulated power loss) conformance' },
);
