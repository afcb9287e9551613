// @results sim.app
/**
 * sim.app: seeds per second of simulateApp (packages/sim) fuzzing the corrected reducer of
 * docs/testing.md ("Fuzz your reducer"), 100 commands per seed under the whole fault mix,
 * without retries and with retries in exactly-once sessions; its peer, measured in the same
 * run, is the key-value fuzz (runSeed) of the same seeds with 100 client operations. One
 * process, one core; `opsPerSec` is seeds per wall second, `params.cpuMsPerSeed` the CPU,
 * each the best of two rounds.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSince, envInfo, heapMB, onlyPrefix, printResult } from './lib.ts';

const SEEDS = 100;
const COMMANDS = 100;
const ROUNDS = 2;
const only = onlyPrefix();

type Accounts = Readonly<Record<string, number>>;
type Transfer = { readonly from: string; readonly to: string; readonly amount: number };
const names = ['ann', 'bob', 'cid'];

async function main(): Promise<void> {
  const { simulateApp, runSeed, rawNodeCore } = await import('@webraft/sim');
  const { withResult } = await import('@webraft/store');
  const transfer = (accounts: Accounts, { from, to, amount }: Transfer) =>
    accounts[from]! < amount ? withResult(accounts, false) : withResult({ ...accounts, [from]: accounts[from]! - amount, [to]: accounts[to]! + amount }, true);

  const measure = async (name: string, params: Record<string, unknown>, peer: string | undefined, run: () => Promise<void>): Promise<void> => {
    if (!name.startsWith(only) && !only.startsWith(name)) return;
    // The faster of two rounds: the first runs on cold code, and a shared machine only slows a run down.
    let seconds = Infinity;
    let cpuSeconds = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await run();
      seconds = Math.min(seconds, (performance.now() - started) / 1000);
      cpuSeconds = Math.min(cpuSeconds, cpuSince(cpu));
    }
    printResult({
      name,
      params: { seeds: SEEDS, ...params, bestOf: ROUNDS, cpuMsPerSeed: Math.round((cpuSeconds / SEEDS) * 1000 * 10) / 10 },
      ...(peer !== undefined ? { peer } : {}),
      opsPerSec: Math.round((SEEDS / seconds) * 10) / 10,
      peakHeapMB: Math.round(heapMB() * 10) / 10,
      env: envInfo(),
    });
    process.stderr.write(`${name}: ${(SEEDS / seconds).toFixed(1)} seeds/s, ${((cpuSeconds / SEEDS) * 1000).toFixed(1)} ms CPU per seed\n`);
  };

  for (const retry of ['never', 'session'] as const) {
    await measure(`sim.app.${retry}`, { commandsPerSeed: COMMANDS, retry }, 'sim.app.kv', async () => {
      const result = await simulateApp({
        initialState: { ann: 10, bob: 10, cid: 10 } as Accounts,
        apply: transfer,
        commands: (random, accounts): Transfer => {
          const from = random.pick(names);
          return { from, to: random.pick(names.filter((name) => name !== from)), amount: random.int(0, accounts[from]!) };
        },
        invariant: (replicas) => replicas.find(({ state }) => Object.values(state).reduce((a, b) => a + b) !== 30)?.node,
        retry,
        seeds: SEEDS,
        commandsPerSeed: COMMANDS,
      });
      if (!result.ok) throw new Error(result.report);
    });
  }
  await measure('sim.app.kv', { ops: COMMANDS, clients: 6 }, undefined, async () => {
    for (let seed = 0; seed < SEEDS; seed++) {
      const result = await runSeed(seed, rawNodeCore, { ops: COMMANDS });
      if (!result.ok) throw new Error(`key-value fuzz seed ${seed}: ${result.violation?.property}`);
    }
  });
}

// Workspace packages resolve to their sources only under the `source` condition.
if (import.meta.resolve('@webraft/core').endsWith('.ts')) {
  await main();
} else {
  const args = ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}
