// The conformance suite on real files in Deno and Bun (the npm packages' binaries), from the
// same sources: test/runtimes/conformance.ts prints "N passed, M failed".
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logStoreConformance } from '@webraft/core/testing';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('..', import.meta.url));
const script = 'test/runtimes/conformance.ts';
const run = promisify(execFile);

const runtimes = {
  deno: [process.execPath, [require.resolve('deno/bin.cjs'), 'run', '--conditions=source', '--allow-read', '--allow-write', '--allow-env', script]],
  bun: [join(dirname(require.resolve('@oven/bun-linux-x64/package.json')), 'bin', 'bun'), ['--conditions=source', script]],
} as const;

/** The suite's cases (its factory is only called when a case runs) and the script's own lock case. */
const cases = logStoreConformance(() => {
  throw new Error('not run here');
}).length + 1;

it.each(Object.keys(runtimes) as (keyof typeof runtimes)[])('LogStore conformance in %s', async (runtime) => {
  const [command, args] = runtimes[runtime];
  const { stdout } = await run(command, [...args], { cwd: here, timeout: 60_000, env: { ...process.env, LOCK_OWNER_PID: String(process.pid) } }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`${runtime} failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
  expect(stdout).toMatch(new RegExp(`^${cases} passed, 0 failed$`, 'm'));
}, 90_000);
