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
  await Promise.allSettled([relay.close(), new Promise((resolve) => server.httpServer.close(resolve))]);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
