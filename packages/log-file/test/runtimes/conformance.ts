// logStoreConformance in whatever runtime runs this file (Deno, Bun), on real files in a
// temporary directory, and a lock held by the running process LOCK_OWNER_PID; prints
// "N passed, M failed" and exits non-zero on a failure.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { assert, type ConformanceCase, logStoreConformance, runCases } from '@webraft/core/testing';
import { fileLogStore, LockCheckFailedError, StoreLockedError } from '../../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'log-file-runtime-'));
/** A live process of another runtime owns a directory: it must not be taken over, checkable or not. */
const foreignLock: ConformanceCase = {
  name: 'a lock held by a running process is not taken over',
  run: async () => {
    const dir = join(root, 'locked');
    mkdirSync(dir);
    const owner = Number(process.env.LOCK_OWNER_PID);
    assert(Number.isSafeInteger(owner) && owner > 0, 'LOCK_OWNER_PID names the running process that owns the lock');
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: owner, start: '', runtime: 'node', token: 'foreign' }));
    const error = await fileLogStore({ dir }).load().then(() => undefined, (e: unknown) => e);
    assert(error instanceof StoreLockedError || error instanceof LockCheckFailedError, `opening a live owner's directory: ${String(error)}`);
    assert(readFileSync(join(dir, 'LOCK'), 'utf8').includes('foreign'), 'the live owner keeps its lock');
  },
};
try {
  const cases = [...logStoreConformance((name) => fileLogStore({ dir: join(root, name), segmentBytes: 4096 })), foreignLock];
  const { passed, failed } = await runCases(cases);
  for (const { name, error } of failed) process.stdout.write(`FAIL ${name}: ${(error as Error)?.stack ?? String(error)}\n`);
  process.stdout.write(`${passed.length} passed, ${failed.length} failed\n`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
