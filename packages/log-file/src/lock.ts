/**
 * One owner per directory. The owner holds `LOCK`, a small JSON file naming its process (pid
 * and start time) and a random token. It is created atomically (written under a temporary
 * name, then hard-linked to `LOCK`, which fails if `LOCK` exists) and removed by `close()`.
 * A crashed owner leaves it behind; the next opener sees that the process it names is gone
 * (or that its pid now belongs to a process started at another time) and takes over.
 */
import * as fs from 'node:fs';
import process from 'node:process';
import { LockCheckFailedError, type LockOwner, StoreLockedError } from './errors.ts';
import type { LogFileSystem } from './file-system.ts';
import { LOCK_FILE } from './format.ts';
import { ignoreMissing } from './snapshot-file.ts';

/** Where the lock learns who this process is and whether another one still runs: a seam for tests. */
export interface LockHost {
  self(): Promise<LockOwner>;
  /** Throws when it cannot tell; the lock is then left to its owner (LockCheckFailedError). */
  isRunning(owner: LockOwner): Promise<boolean>;
}

interface LockRecord extends LockOwner {
  readonly token: string;
}

/** Tokens of the locks this process holds, shared by every copy of this module loaded in it. */
const liveTokens: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('@webraft/log-file:locks')] ??= new Set<string>()) as Set<string>;

/** The host this code runs on, through `node:process` and Linux's `/proc` (start times elsewhere are ''). */
export function processLockHost(): LockHost {
  return {
    async self() {
      return { pid: process.pid, start: startTime(process.pid), runtime: runtimeName() };
    },
    async isRunning(owner) {
      try {
        process.kill(owner.pid, 0);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ESRCH') return false;
        // EPERM: the process exists but belongs to another user. Anything else (Deno without
        // --allow-run) answers nothing about the process.
        if (code !== 'EPERM') throw error;
      }
      // Another start time under the same pid: the owner died and the pid was reused.
      const now = startTime(owner.pid);
      return owner.start === '' || now === '' || now === owner.start;
    },
  };
}

function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which may itself contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function runtimeName(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno !== undefined ? 'deno' : g.Bun !== undefined ? 'bun' : 'node';
}

export interface DirectoryLock {
  release(): Promise<void>;
}

const ATTEMPTS = 5;

/** Takes `dir/LOCK`, or throws StoreLockedError naming the live owner. */
export async function acquireLock(files: LogFileSystem, dir: string, host: LockHost): Promise<DirectoryLock> {
  const token = randomToken();
  const record: LockRecord = { ...(await host.self()), token };
  const path = `${dir}/${LOCK_FILE}`;
  const mine = `${dir}/${LOCK_FILE}.${token}.tmp`;
  const file = await files.create(mine);
  try {
    await file.write(new TextEncoder().encode(`${JSON.stringify(record)}\n`), 0);
  } finally {
    await file.close();
  }
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await files.link(mine, path);
        liveTokens.add(token);
        return { release: () => release(files, path, token) };
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      }
      const text = await readText(files, path);
      if (text === undefined) continue;
      const owner = parseRecord(text);
      if (owner !== undefined && (await isAlive(owner, record, host, dir))) throw new StoreLockedError(dir, owner);
      await breakStaleLock(files, path, `${dir}/${LOCK_FILE}.${token}.stale.tmp`, text);
    }
    throw new StoreLockedError(dir, { pid: 0, start: '', runtime: 'unknown (the lock changed hands while it was being taken)' });
  } finally {
    await files.remove(mine).catch(ignoreMissing);
  }
}

async function isAlive(owner: LockRecord, me: LockRecord, host: LockHost, dir: string): Promise<boolean> {
  // This very process: alive only if one of its stores still holds that lock (not one abandoned by a crash).
  if (owner.pid === me.pid && owner.start === me.start) return liveTokens.has(owner.token);
  try {
    return await host.isRunning(owner);
  } catch (error) {
    throw new LockCheckFailedError(dir, owner, error);
  }
}

/**
 * Moves the stale `LOCK` aside, then checks that what it moved is what it judged stale: an
 * opener racing on the same stale lock may have replaced it with a live one meanwhile, which
 * is linked back.
 */
async function breakStaleLock(files: LogFileSystem, path: string, aside: string, staleText: string): Promise<void> {
  try {
    await files.rename(path, aside);
  } catch (error) {
    ignoreMissing(error);
    return;
  }
  if ((await readText(files, aside)) !== staleText) await files.link(aside, path).catch(() => undefined);
  await files.remove(aside).catch(ignoreMissing);
}

async function release(files: LogFileSystem, path: string, token: string): Promise<void> {
  liveTokens.delete(token);
  const text = await readText(files, path);
  if (text !== undefined && parseRecord(text)?.token === token) await files.remove(path).catch(ignoreMissing);
}

async function readText(files: LogFileSystem, path: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await files.readFile(path));
  } catch (error) {
    ignoreMissing(error);
    return undefined;
  }
}

/** A lock file's record; undefined for an unreadable one (only a crash mid-write leaves that). */
function parseRecord(text: string): LockRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    if (Number.isSafeInteger(r.pid) && typeof r.start === 'string' && typeof r.runtime === 'string' && typeof r.token === 'string') {
      return { pid: r.pid!, start: r.start, runtime: r.runtime, token: r.token };
    }
  } catch {
    // Falls through: treated as stale.
  }
  return undefined;
}

function randomToken(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
}
