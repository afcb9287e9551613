/**
 * Runs one attack of `attacks.ts` in a process of its own, as an outsider's machine would:
 * its own CPU does not slow the cluster under test. Started by `spawnAttack`; prints `ready`
 * once the attack runs, stops it on a line on stdin, and exits.
 */
import { createInterface } from 'node:readline';
import { halfSentMessages, keepaliveFlood, type StopAttack } from './attacks.ts';

const attacks: Record<string, (url: string, options: Record<string, number>) => Promise<StopAttack>> = {
  keepaliveFlood: async (url, options) => (await keepaliveFlood(url, options)).stop,
  halfSentMessages: (url, options) => halfSentMessages(url, options),
};

const [name, url, options] = process.argv.slice(2) as [string, string, string];
const stop = await attacks[name]!(url, JSON.parse(options) as Record<string, number>);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async () => {
  await stop();
  process.exit(0);
});
