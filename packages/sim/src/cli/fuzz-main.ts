/**
 * The fuzz runner: runs a range of seeds across worker threads, stops at the first failing
 * seed (unless --keep-going), re-runs it in this thread with tracing on and prints the
 * seed, the violated property and a step-by-step trace. Exits non-zero on any failure.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { historyToJson } from '../history.ts';
import type { FuzzOptions } from '../run.ts';
import { parseArgs, usage, UsageError, type FuzzArgs } from './args.ts';
import { checkHistoryFile, type CheckStreams } from './check.ts';
import { loadSim, mutantNames } from './cores.ts';
import type { SeedSummary, WorkerData, WorkerReply } from './fuzz-worker.ts';

const BATCH = 4;

// Loader hooks registered by `--import tsx` do not reach worker threads: each registers its own.
const workerBoot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./fuzz-worker.ts', import.meta.url).href,
)}); });`;

const streams: CheckStreams = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

function main(): number {
  let args: FuzzArgs;
  try {
    args = parseArgs(process.argv.slice(2), availableParallelism());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (args.listMutants) {
    process.stdout.write(`${mutantNames().join('\n')}\n`);
    return 0;
  }
  if (args.check !== undefined) return checkHistoryFile(args.check, args.checkBudget, streams);
  if (args.mutant !== undefined && !mutantNames().includes(args.mutant)) {
    process.stderr.write(`unknown mutant ${args.mutant}; one of: ${mutantNames().join(', ')}\n`);
    return 2;
  }
  return -1;
}

function fuzzOptions(args: FuzzArgs): FuzzOptions {
  return { ops: args.ops, clients: args.clients, ...(args.nodes !== undefined ? { nodes: args.nodes } : {}) };
}

async function runSeeds(args: FuzzArgs): Promise<SeedSummary[]> {
  const next = { seed: args.from };
  const end = args.from + args.seeds;
  const failures: SeedSummary[] = [];
  let done = 0;
  let stopping = false;
  const started = performance.now();
  let lastReport = started;
  const take = (): number[] => {
    const batch: number[] = [];
    while (!stopping && batch.length < BATCH && next.seed < end) batch.push(next.seed++);
    return batch;
  };
  const progress = (): void => {
    const now = performance.now();
    if (now - lastReport < 5000) return;
    lastReport = now;
    const rate = done / ((now - started) / 1000);
    process.stderr.write(`  ${done}/${args.seeds} seeds, ${rate.toFixed(1)} seeds/s\n`);
  };
  const data: WorkerData = { mutant: args.mutant, options: fuzzOptions(args) };
  await Promise.all(
    Array.from({ length: args.workers }, () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(workerBoot, { eval: true, workerData: data });
        const feed = (): void => {
          const batch = take();
          if (batch.length === 0) void worker.terminate().then(() => resolve());
          else worker.postMessage(batch);
        };
        worker.on('message', (reply: WorkerReply) => {
          for (const r of reply.results) {
            done++;
            if (!r.ok) {
              failures.push(r);
              if (!args.keepGoing) stopping = true;
            }
          }
          progress();
          feed();
        });
        worker.on('error', reject);
        feed();
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `${done} seeds (${args.from}…${args.from + done - 1}) in ${seconds.toFixed(1)} s: ${(done / seconds).toFixed(1)} seeds/s on ${args.workers} workers, ${failures.length} failing\n`,
  );
  return failures.sort((a, b) => a.seed - b.seed);
}

const code = main();
if (code >= 0) process.exit(code);
const args = parseArgs(process.argv.slice(2), availableParallelism());
const failures = await runSeeds(args);
const sim = await loadSim(args.mutant);
const replay = (seed: number): string =>
  `npm run fuzz -- --seeds 1 --from ${seed} --ops ${args.ops} --clients ${args.clients}${args.nodes !== undefined ? ` --nodes ${args.nodes}` : ''}${args.mutant ? ` --mutant ${args.mutant}` : ''}`;
for (const f of failures.slice(1)) process.stdout.write(`FAIL seed ${f.seed}: ${f.property}: ${f.detail}\n`);
const first = failures[0];
// A history check fails only at the end of a run, so keep the whole trace and cut it around the operation.
const traceSteps = first?.property === 'Linearizability' ? Number.MAX_SAFE_INTEGER : args.traceSteps;
const traced = await sim.runSeed(first?.seed ?? args.from, sim.rawNodeCore, { ...fuzzOptions(args), traceSteps });
if (first !== undefined) process.stdout.write(`${sim.formatFailure(traced, replay(first.seed), args.traceSteps)}\n`);
if (args.history !== undefined) {
  writeFileSync(args.history, historyToJson(traced.history));
  process.stderr.write(`history of seed ${traced.seed} (${traced.history.length} operations) saved to ${args.history}\n`);
}
process.exit(failures.length === 0 ? 0 : 1);
