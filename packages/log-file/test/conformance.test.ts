import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logStoreConformance, runConformance } from '@webraft/core/testing';
import { afterAll, describe, it } from 'vitest';
import { fileLogStore } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'log-file-conformance-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

runConformance(
  logStoreConformance((name) => fileLogStore({ dir: join(root, name), segmentBytes: 4096 })),
  { describe, it },
  { title: 'FileLogStore (real files, 4 KiB segments) conformance' },
);
