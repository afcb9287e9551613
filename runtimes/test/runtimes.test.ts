// The scenario scripts and the conformance suites in Bun and in workerd, each run by the
// runtime's own binary from the npm packages; every case must pass, and as many must run as
// the same list holds here (less the BroadcastChannel suite where the runtime has none; in
// workerd, plus the Durable Object LogStore's cases on Durable Objects' storage).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleForWorkerd } from '../src/bundle.ts';
import { durableObjectLogCases } from '../src/durable-object-log.ts';
import { runtimeCases } from '../src/suites.ts';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

let scratch: string;
let expected: { all: number; broadcastChannel: number; durableObjectLog: number };
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'webraft-runtimes-'));
  const dir = fileURLToPath(new URL('../../packages/core/test/scenarios/', import.meta.url));
  const scenarios: Record<string, string> = {};
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.txt'))) scenarios[file] = await readFile(join(dir, file), 'utf8');
  const { cases } = runtimeCases(scenarios);
  // Listing the cases opens no store, so no storage is needed to count them; they run twice
  // (key-value and SQLite-backed storage).
  const durableObjectLog = 2 * durableObjectLogCases(undefined as never, '').length;
  expected = { all: cases.length, broadcastChannel: cases.filter((c) => c.name.startsWith('BroadcastChannel ')).length, durableObjectLog };
  expect(Object.keys(scenarios).length).toBeGreaterThan(100);
  expect(expected.broadcastChannel).toBeGreaterThan(0);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function runtime(name: string, command: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, [...args], { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${name} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

function summary(output: string, runtime: string): { passed: number; failed: number } {
  const match = new RegExp(`^${runtime}[^:\\n]*: (\\d+) passed, (\\d+) failed$`, 'm').exec(output);
  if (match === null) throw new Error(`no summary from ${runtime}:\n${output}`);
  return { passed: Number(match[1]), failed: Number(match[2]) };
}

it('Bun: scenario scripts, LogStore and Transport (memory, BroadcastChannel) conformance', async () => {
  const bun = join(dirname(require.resolve('@oven/bun-linux-x64/package.json')), 'bin', 'bun');
  const output = await runtime('bun', bun, ['--conditions=source', 'src/bun.ts'], here);
  expect(summary(output, 'bun')).toEqual({ passed: expected.all, failed: 0 });
}, 150_000);

it('workerd: scenario scripts, LogStore (memory, Durable Object storage: key-value and SQLite) and Transport (memory) conformance', async () => {
  const config = await bundleForWorkerd(join(scratch, 'workerd'));
  const workerd = join(dirname(require.resolve('workerd/package.json')), 'bin', 'workerd');
  const output = await runtime('workerd', workerd, ['test', config], dirname(config));
  expect(output).toMatch(/no BroadcastChannel in this runtime/);
  expect(expected.durableObjectLog).toBeGreaterThan(60);
  expect(summary(output, 'workerd')).toEqual({ passed: expected.all - expected.broadcastChannel + expected.durableObjectLog, failed: 0 });
}, 150_000);
