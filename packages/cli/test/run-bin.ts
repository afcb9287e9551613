import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../bin/webraft.mjs', import.meta.url));

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the `webraft` bin on the sources. */
export function startBin(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runBin(args: readonly string[], timeoutMs = 20_000): Promise<BinResult> {
  const child = startBin(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
