/** The Deno relay (`deno-relay.ts`) in a child process of the deno binary, on a port it picks on 127.0.0.1. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DenoServeOptions, RoomRelayStats } from '../../src/deno/index.ts';

const require = createRequire(import.meta.url);
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
export const adminToken = 'admin-token';

export interface DenoRelayProcess {
  readonly url: string;
  stats(): Promise<RoomRelayStats>;
  rooms(): Promise<{ room: string; members: string[] }[]>;
  stop(): Promise<void>;
}

/** The deno binary of the npm package `deno`. */
function denoBinary(): string {
  return require.resolve('deno/bin.cjs').replace(/bin\.cjs$/, 'deno');
}

export async function startDenoRelay(options: Omit<DenoServeOptions, 'authorize'> = {}): Promise<DenoRelayProcess> {
  const child: ChildProcess = spawn(denoBinary(), ['run', '--allow-net', '--allow-env', '--conditions', 'source', 'test/edge/deno-relay.ts'], {
    cwd: packageDir,
    env: { ...process.env, RELAY_OPTIONS: JSON.stringify({ admin: { token: adminToken }, ...options }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', kill);
      resolve();
    }),
  );
  let stderr = '';
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the Deno relay did not listen within 30 s:\n${stderr}`)), 30_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (ws:\/\/\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the Deno relay exited (${code}):\n${stderr}`));
      });
    });
  } catch (error) {
    kill();
    await gone;
    throw error;
  }
  const admin = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url.replace('ws:', 'http:')}admin/${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return (await response.json()) as T;
  };
  return {
    url,
    stats: () => admin('stats'),
    rooms: () => admin('rooms'),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 2000);
      await gone;
      clearTimeout(timer);
    },
  };
}
