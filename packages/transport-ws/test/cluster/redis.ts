/**
 * A Redis server of the test's own: Debian's `redis-server` as a child process on a free
 * loopback port, without persistence, killed by its pid when the test stops it, and with the
 * test process in any case.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGKILL: Redis is gone at once, with everything it held. */
  stop(): Promise<void>;
}

/** A port nothing listens on now (the kernel's pick); the race with other processes is harmless on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts redis-server on `port` (a free one by default); resolves once it accepts connections. */
export async function startRedis(port?: number): Promise<RedisProcess> {
  if (!hasRedisServer()) throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does)');
  const listenOn = port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(listenOn), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${listenOn}: ${output}`)), 10_000);
    // Kept for the error should it not start; ready is when it answers a PING (it says nothing at this log level).
    const read = (chunk: Buffer): void => void (output += chunk.toString());
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) on port ${listenOn}: ${output}`));
    });
    void waitUntilAnswers(listenOn, () => exited).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    url: `redis://127.0.0.1:${listenOn}`,
    port: listenOn,
    pid: child.pid!,
    async stop() {
      if (exited) return;
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** Polls the port with PING until Redis answers PONG. */
async function waitUntilAnswers(port: number, stopped: () => boolean): Promise<void> {
  const { Socket } = await import('node:net');
  while (!stopped()) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.setTimeout(500, () => socket.destroy());
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
      socket.once('data', (data) => {
        resolve(data.toString().startsWith('+PONG'));
        socket.destroy();
      });
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
