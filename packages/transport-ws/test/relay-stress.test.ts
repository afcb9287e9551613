/**
 * The relay as a separate process (its command-line entry), under abuse: 500 idle
 * connections, a flood towards a receiver that stops reading, malformed and oversized
 * frames, and raw TCP garbage. It must keep serving with bounded memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeKind } from '../src/protocol.ts';
import type { RelayStats } from '../src/relay/index.ts';
import { bytes, connectClient, text, until, type TestClient } from './relay-client.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess;
let url: string;
const clients: TestClient[] = [];

async function stats(): Promise<RelayStats> {
  const response = await fetch(`${url.replace('ws:', 'http:')}admin/stats`, { headers: { authorization: 'Bearer t' } });
  return (await response.json()) as RelayStats;
}

function join(room: string, node: string, localAddress?: string): TestClient {
  const client = connectClient(url, { room, node }, localAddress === undefined ? {} : { localAddress });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "import { main } from './src/relay/cli.ts'; await main(process.argv.slice(1));", '--',
      '--port', '0', '--admin-token', 't', '--max-frame-bytes', '65536', '--max-buffered-bytes', '262144'],
    { cwd: packageDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(err);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`relay exited (${code}): ${err}`)));
  });
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
});

describe('relay process under abuse', () => {
  it('keeps serving with bounded memory', async () => {
    const baseline = (await stats()).memory;

    const idle: TestClient[] = [];
    // From ten addresses, as ten hosts would: one address gets at most 100 handshakes a second.
    for (let room = 0; room < 10; room++) for (let n = 0; n < 50; n++) idle.push(join(`idle-${room}`, `n${n}`, `127.0.1.${room + 1}`));
    await Promise.all(idle.map((c) => c.welcome));
    expect((await stats()).members).toBe(500);

    // Raw TCP: garbage instead of HTTP, and a half-sent upgrade.
    const raw = Array.from({ length: 50 }, (_, i) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(i % 2 ? '\x00\xff garbage \r\n\r\n' : 'GET /?room=r&node=x HTTP/1.1\r\nUpgrade: websocket\r\n');
      return socket;
    });

    const flooder = join('flood', 'flooder');
    const sink = join('flood', 'sink');
    const stalled = join('flood', 'stalled');
    await Promise.all([flooder.welcome, sink.welcome, stalled.welcome]);
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = new Uint8Array(8 * 1024).fill(7);
    for (let i = 0; i < 5000; i++) {
      flooder.send('stalled', chunk);
      if (i % 10 === 0) flooder.send('sink', bytes(`#${i}`));
      if (i % 5 === 0) flooder.ws.send(Uint8Array.of(9, 9, 9));
    }
    const oversized = Array.from({ length: 20 }, (_, i) => join('big', `b${i}`));
    await Promise.all(oversized.map((c) => c.welcome));
    for (const c of oversized) c.send('b0', new Uint8Array(100 * 1024));
    expect(new Set(await Promise.all(oversized.map(async (c) => (await c.closed).code)))).toEqual(new Set([1009]));

    await until(() => sink.received.filter((e) => e.kind === EnvelopeKind.data).length === 500, 20_000, 'the sink gets every small frame');
    // The relay sees the oversized senders' sockets close a moment after they do.
    let after = await stats();
    for (let tries = 0; after.members !== 503 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      after = await stats();
    }
    expect(after.rejected.malformed).toBe(1000);
    expect(after.rejected.oversized).toBe(20);
    expect(after.dropped.backpressure).toBeGreaterThan(3000);
    expect(after.members).toBe(503);
    // 5000 × 8 KiB = 40 MiB went towards a reader that stopped; the relay kept at most ~256 KiB of it.
    expect(after.memory.rssBytes - baseline.rssBytes).toBeLessThan(120 * 1024 * 1024);
    expect(after.memory.heapUsedBytes).toBeLessThan(120 * 1024 * 1024);
    process.stderr.write(
      `relay memory: rss ${(baseline.rssBytes / 2 ** 20).toFixed(0)} → ${(after.memory.rssBytes / 2 ** 20).toFixed(0)} MiB, ` +
        `heap ${(after.memory.heapUsedBytes / 2 ** 20).toFixed(0)} MiB with ${after.connections} connections\n`,
    );

    // Still serving.
    const x = join('after', 'x');
    const y = join('after', 'y');
    await Promise.all([x.welcome, y.welcome]);
    x.send('y', bytes('still here'));
    expect(text((await y.waitFor((e) => e.kind === EnvelopeKind.data)).payload)).toBe('still here');
    for (const socket of raw) socket.destroy();
  }, 60_000);

  it('the bin prints its usage', async () => {
    const out = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ['bin/webraft-relay.mjs', '--help'], { cwd: packageDir });
      let text = '';
      p.stdout.on('data', (c: Buffer) => (text += c.toString()));
      p.once('exit', () => resolve(text));
    });
    expect(out).toContain('usage: webraft-relay');
  }, 30_000);
});
