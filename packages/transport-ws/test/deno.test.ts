import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { startRelay } from '../src/relay/index.ts';

it('the WebSocket transport passes the conformance suite under Deno', async () => {
  const relay = await startRelay({ port: 0 });
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        'npx',
        ['deno', 'run', '--allow-net', '--allow-env', '--allow-read', '--conditions', 'source', 'test/deno/ws-transport.ts'],
        { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, RELAY_URL: relay.url } },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => resolve({ code, output }));
    });
    expect(output).toContain('"failed":[]');
    expect(code).toBe(0);
    expect(JSON.parse(output.slice(output.indexOf('{"passed"')).split('\n')[0]!).passed).toBe(18);
  } finally {
    await relay.close();
  }
}, 120_000);
