// logStoreConformance in whatever runtime runs this file (Deno, Bun), on real files in a
// temporary directory; prints "N passed, M failed" and exits non-zero on a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { logStoreConformance, runCases } from '@webraft/core/testing';
import { fileLogStore } from '../../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'log-file-runtime-'));
try {
  const { passed, failed } = await runCases(logStoreConformance((name) => fileLogStore({ dir: join(root, name), segmentBytes: 4096 })));
  for (const { name, error } of failed) process.stdout.write(`FAIL ${name}: ${(error as Error)?.stack ?? String(error)}\n`);
  process.stdout.write(`${passed.length} passed, ${failed.length} failed\n`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
