// A child process writes with hundreds of writes in flight and is killed with SIGKILL at
// seeded random moments, over and over on the same directory. After each kill this process
// reopens the log: every write whose acknowledgement reached it is there, what is there is a
// prefix of the writes, torn tails are cut, and the dead child's lock is taken over.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogWrite, StoredState } from '@webraft/core';
import { seededRandom } from '@webraft/core/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileLogStore } from '../src/index.ts';
import { scratchDirectory } from './helpers.ts';
import { checkPrefix, KILL_WORKLOAD, nextBatch, workloadState } from './workload.ts';

const KILLS = Number(process.env.KILLS ?? 110);
const SEED = Number(process.env.SEED ?? 1);
const SEGMENT_BYTES = 256 * 1024;

let scratch: ReturnType<typeof scratchDirectory>;
let child: string;
beforeAll(async () => {
  scratch = scratchDirectory('kill');
  // Bundled once, so each child starts in tens of milliseconds.
  child = join(scratch.dir, 'kill-child.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./kill-child.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], outfile: child, logLevel: 'silent',
  });
});
afterAll(() => scratch.cleanup());

interface Round {
  readonly ready: number;
  /** Highest sequence number acknowledged on the pipe (the start's when none was). */
  readonly acked: number;
}

/** Runs the child until `killAfterMs` after it is ready, then kills it; the acks it saw. */
async function killedChild(dir: string, seed: number, inflight: number, killAfterMs: number): Promise<Round> {
  const proc = spawn(process.execPath, [child, dir, String(seed), String(inflight), String(SEGMENT_BYTES)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let ready: number | undefined;
  let acked = 0;
  let timer: NodeJS.Timeout | undefined;
  proc.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  proc.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text;
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const [word, value] = out.slice(0, nl).split(' ');
      out = out.slice(nl + 1);
      if (word === 'ready') {
        ready = Number(value);
        acked = ready;
        timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      } else if (word === 'ack') {
        acked = Math.max(acked, Number(value));
      }
    }
  });
  const watchdog = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  try {
    const [code, signal] = (await once(proc, 'exit')) as [number | null, string | null];
    if (signal !== 'SIGKILL' || ready === undefined) throw new Error(`child exited with ${code ?? signal} before it was killed: ${err}`);
  } finally {
    clearTimeout(timer);
    clearTimeout(watchdog);
    proc.kill('SIGKILL');
  }
  return { ready: ready!, acked };
}

it(`SIGKILL at ${KILLS} random moments loses no acknowledged write (seed ${SEED})`, async () => {
  const dir = join(scratch.dir, 'log');
  const random = seededRandom(SEED);
  const opened = fileLogStore({ dir });
  let start: StoredState = await opened.load();
  await opened.close();
  let acknowledged = 0;
  let torn = 0;
  let lost = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const seed = SEED * 100_000 + kill;
    const inflight = [1, 64, 500][kill % 3]!;
    const round = await killedChild(dir, seed, inflight, Math.floor(random() * 120));
    const where = `kill ${kill} (SEED=${SEED}, child seed ${seed})`;
    expect(round.ready, where).toBe(start.hardState.commit);

    const store = fileLogStore({ dir });
    const reopened = await store.load();
    const survived = reopened.hardState.commit - start.hardState.commit;
    const generator = seededRandom(seed);
    const state = workloadState(start);
    const batches: LogWrite[] = [];
    while (batches.length < Math.max(survived, round.acked - start.hardState.commit)) batches.push(nextBatch(generator, state, KILL_WORKLOAD));
    try {
      await checkPrefix(start, batches, round.acked - start.hardState.commit, reopened);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
    }
    acknowledged += round.acked - start.hardState.commit;
    lost += survived - (round.acked - start.hardState.commit);
    torn += store.recovery!.tornTails.length;
    await store.close();
    start = reopened;
  }
  console.log(`${KILLS} kills: ${acknowledged} writes acknowledged, ${lost} more survived unacknowledged, ${torn} torn tails cut`);
  expect(acknowledged).toBeGreaterThan(KILLS * 10);
}, 180_000);
