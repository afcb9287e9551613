/**
 * Runs attacks of `attacks.ts`, or a fuzz schedule of `fuzzer.ts`, in a process of its own,
 * as an outsider's machine would: its CPU does not slow the cluster under test. Started by
 * `spawnAttack` / `spawnFuzz`; prints `ready` once an attack runs and stops it on a line on
 * stdin; a fuzz run prints each step as it starts, then `done`.
 */
import { createInterface } from 'node:readline';
import { halfSentMessages, keepaliveFlood, stalledReceiver, type StopAttack } from './attacks.ts';
import { runFuzz, schedule, type FuzzTarget } from './fuzzer.ts';

const attacks: Record<string, (url: string, options: Record<string, number>) => Promise<StopAttack>> = {
  keepaliveFlood: async (url, options) => (await keepaliveFlood(url, options)).stop,
  halfSentMessages: (url, options) => halfSentMessages(url, options),
  stalledReceiver: async (url, options) => (await stalledReceiver(url, options)).stop,
};

const [name, ...args] = process.argv.slice(2) as [string, ...string[]];
if (name === 'fuzz') {
  const [target, seed, durationMs] = args as [string, string, string];
  const fuzzTarget = JSON.parse(target) as FuzzTarget;
  await runFuzz(fuzzTarget, schedule(Number(seed), fuzzTarget, Number(durationMs)), Number(seed), (line) => process.stdout.write(`step ${line}\n`));
  process.stdout.write('done\n');
  process.exit(0);
}
const [url, options] = args as [string, string];
const stop = await attacks[name]!(url, JSON.parse(options) as Record<string, number>);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async () => {
  await stop();
  process.exit(0);
});
