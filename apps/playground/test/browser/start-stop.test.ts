/**
 * `npm start` from the repository root serves the playground; `kill -TERM` sent to npm alone
 * (as a process manager or a terminal's close does) frees its port, even while a browser tab
 * holds a keep-alive connection to the web server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let h: Harness;
let child: ChildProcess | undefined;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  // Whatever happened, nothing this test started outlives it: npm runs in a process group of its own.
  if (child?.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }
  await h?.close();
});

describe('npm start', () => {
  it('kill -TERM on npm frees the port', async () => {
    const web = await freePort();
    const started = spawn('npm', ['start', '--', '--no-build', '--port', String(web)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = started;
    let output = '';
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => output, { timeout: 60_000 }).toContain('Ctrl-C to stop');
    expect(await listening(web)).toBe(true);

    const page = await h.browser.newPage();
    await page.goto(`http://127.0.0.1:${web}/#seed=1&nodes=3&t=500`);
    await page.waitForSelector('#cluster g.node');

    started.kill('SIGTERM');
    await expect.poll(() => listening(web), { timeout: 10_000, interval: 200 }).toBe(false);
    await page.close();
  });
});
