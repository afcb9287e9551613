#!/usr/bin/env node
// `npm start`: builds the playground, serves the build on 127.0.0.1 and runs the WebSocket
// relay beside it (for live mode over the relay or WebRTC), then prints both URLs.
// Ctrl-C stops both. Options: --port N (web, default 5173), --relay-port N (default 8787),
// --no-build (serve the existing dist/).
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    'relay-port': { type: 'string', default: process.env.RELAY_PORT ?? '8787' },
    'no-build': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const relayPort = Number(values['relay-port']);
const host = '127.0.0.1';

if (!values['no-build']) await build({ root, logLevel: 'warn' });

// The relay is TypeScript source inside this repository; this script runs under tsx with the
// `source` condition (see the package's "start" script), so the import resolves to it.
const { startRelay } = await import('@webraft/transport-ws/relay');
const relay = await startRelay({ host, port: relayPort });
const server = await preview({ root, logLevel: 'warn', preview: { host, port, strictPort: true } });

const relayUrl = relay.url;
const web = `http://${host}:${port}/`;
process.stdout.write(
  [
    '',
    `  webraft playground`,
    `  teaching simulator   ${web}`,
    `  live cluster (tabs)  ${web}live.html`,
    `  live over the relay  ${web}live.html?transport=relay&relay=${encodeURIComponent(relayUrl)}`,
    `  relay                ${relayUrl}`,
    '',
    '  Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Open keep-alive connections (a browser tab) would hold the port until they time out.
  server.httpServer.closeAllConnections?.();
  const closed = Promise.allSettled([relay.close(), new Promise((resolve) => server.httpServer.close(resolve))]);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
// Started through npm, a signal to npm reaches only its shell, which exits without passing it on:
// once orphaned, stop too instead of holding both ports.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 300).unref();
