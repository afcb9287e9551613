// One owner per directory: a live owner (this process or another) keeps others out; the lock
// of a process that died, or whose pid now belongs to a process started later, is taken over.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fileLogStore, LockCheckFailedError, StoreLockedError } from '../src/index.ts';
import { entries, scratchDirectory } from './helpers.ts';

let scratch: ReturnType<typeof scratchDirectory>;
beforeEach(() => void (scratch = scratchDirectory('lock')));
afterEach(() => scratch.cleanup());

const lockFile = () => join(scratch.dir, 'LOCK');
const lockOf = () => JSON.parse(readFileSync(lockFile(), 'utf8')) as { pid: number; start: string; runtime: string; token: string };

it('a second store on the same directory in this process is refused until the first closes', async () => {
  const first = fileLogStore({ dir: scratch.dir });
  await first.load();
  expect(lockOf()).toMatchObject({ pid: process.pid, runtime: 'node' });
  const second = fileLogStore({ dir: scratch.dir });
  const error = await second.load().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StoreLockedError);
  expect(error).toMatchObject({ code: 'closed', dir: scratch.dir, owner: { pid: process.pid } });
  await expect(second.write({ entries: entries(1, 1, 1) })).rejects.toMatchObject({ code: 'closed' });
  await first.close();
  const third = fileLogStore({ dir: scratch.dir });
  await third.load();
  await third.close();
});

it('a lock left by a process that died is taken over; one held by a running process is not', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    const store = fileLogStore({ dir: scratch.dir });
    await store.load();
    await store.close();
    // The running child "owns" the directory, with its real start time.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    writeFileSync(lockFile(), JSON.stringify({ pid: child.pid, start, runtime: 'node', token: 'other' }));
    await expect(fileLogStore({ dir: scratch.dir }).load()).rejects.toMatchObject({ name: 'StoreLockedError', owner: { pid: child.pid } });
    // The same pid with another start time: the pid was reused, the owner is gone.
    writeFileSync(lockFile(), JSON.stringify({ pid: child.pid, start: `${start}0`, runtime: 'node', token: 'other' }));
    const afterReuse = fileLogStore({ dir: scratch.dir });
    await afterReuse.load();
    await afterReuse.close();
    // The owner died.
    writeFileSync(lockFile(), JSON.stringify({ pid: child.pid, start, runtime: 'node', token: 'other' }));
    child.kill('SIGKILL');
    await once(child, 'exit');
    const afterDeath = fileLogStore({ dir: scratch.dir });
    await afterDeath.load();
    expect(lockOf().pid).toBe(process.pid);
    await afterDeath.close();
  } finally {
    child.kill('SIGKILL');
  }
});

it('an unreadable lock file (a crash while the disk wrote it) is stale', async () => {
  writeFileSync(lockFile(), '');
  const store = fileLogStore({ dir: scratch.dir });
  await store.load();
  await store.close();
  expect(() => readFileSync(lockFile())).toThrow(/ENOENT/);
});

it('a lock abandoned by a store of this process that never closed is taken over', async () => {
  const abandoned = fileLogStore({ dir: scratch.dir });
  await abandoned.load();
  const token = lockOf().token;
  // As if that store's owner had crashed inside this process: its token is no longer live.
  writeFileSync(lockFile(), JSON.stringify({ ...lockOf(), token: `${token}-gone` }));
  const store = fileLogStore({ dir: scratch.dir });
  await store.load();
  expect(lockOf().token).not.toBe(token);
  await store.close();
});

it('a lock whose owner cannot be checked is left alone', async () => {
  writeFileSync(lockFile(), JSON.stringify({ pid: 999_999, start: '', runtime: 'deno', token: 'other' }));
  const refusal = new Error('Requires run access');
  const store = fileLogStore({
    dir: scratch.dir,
    lockHost: { self: async () => ({ pid: process.pid, start: '', runtime: 'node' }), isRunning: async () => Promise.reject(refusal) },
  });
  const error = await store.load().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LockCheckFailedError);
  expect(error).toMatchObject({ code: 'closed', owner: { pid: 999_999 }, cause: refusal });
  expect(lockOf().token).toBe('other');
});
