/**
 * `workerd serve` as a child process for tests: bundles a Worker's entry with esbuild (the
 * @webraft sources, as `bundle.ts` does for `workerd test`), writes the Cap'n Proto
 * configuration it is given, and starts workerd on ports it picks itself (address
 * `127.0.0.1:0`; workerd reports each socket's port on `--control-fd`). The process is killed
 * by `stop()`, and with the test process in every other path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

/** The workerd binary of the npm package `workerd`. */
export function workerdBinary(): string {
  return join(dirname(require.resolve('workerd/package.json')), 'bin', 'workerd');
}

/** Bundles `entry` (a TypeScript module of the workspace) into `outfile` as one ES module for workerd. */
export async function bundleWorker(entry: string, outfile: string): Promise<void> {
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    outfile,
    logLevel: 'silent',
  });
}

export interface WorkerdProcess {
  /** The port of each socket of the configuration, by name. */
  readonly ports: ReadonlyMap<string, number>;
  readonly pid: number;
  /** What workerd printed so far (stdout and stderr). */
  readonly output: string;
  readonly alive: boolean;
  /** SIGKILL, as a crash or a power cut would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Stops workerd (SIGTERM, then SIGKILL after a second); resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Writes `config` (Cap'n Proto text) to `dir/config.capnp` and serves it; resolves once every
 * socket named in `sockets` listens.
 */
export async function serveWorkerd(dir: string, config: string, sockets: readonly string[], { timeoutMs = 20_000 } = {}): Promise<WorkerdProcess> {
  const file = join(dir, 'config.capnp');
  await writeFile(file, config);
  const child: ChildProcess = spawn(workerdBinary(), ['serve', file, '--control-fd=3'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      process.off('exit', kill);
      resolve();
    }),
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ports = new Map<string, number>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      let buffered = '';
      (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const event = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (event.event === 'listen' && event.socket !== undefined && event.port !== undefined) ports.set(event.socket, event.port);
        }
        if (sockets.every((name) => ports.has(name))) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`workerd exited (${code ?? signal}) before it listened:\n${output}`));
      });
    });
  } catch (error) {
    kill();
    await gone;
    throw error;
  }
  return {
    ports,
    pid: child.pid!,
    get output() {
      return output;
    },
    get alive() {
      return !exited;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 1000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** A Cap'n Proto text literal. */
export function capnpText(value: string): string {
  return JSON.stringify(value);
}
