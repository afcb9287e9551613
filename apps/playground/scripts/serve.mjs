#!/usr/bin/env node
// `npm start`: builds the playground, serves the build on 127.0.0.1 and prints its URLs.
// Ctrl-C stops it. Options: --port N (default 5173), --no-build (serve the existing dist/).
// Both pages need nothing else: the live page's tabs talk over BroadcastChannel.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    'no-build': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const host = '127.0.0.1';

if (!values['no-build']) await build({ root, logLevel: 'warn' });

const server = await preview({ root, logLevel: 'warn', preview: { host, port, strictPort: true } });

const web = `http://${host}:${port}/`;
process.stdout.write(
  [
    '',
    `  webraft playground`,
    `  teaching simulator   ${web}`,
    `  live cluster (tabs)  ${web}live.html   (open it in several tabs)`,
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
  const closed = new Promise((resolve) => server.httpServer.close(resolve));
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
// Started through npm, a signal to npm reaches only its shell, which exits without passing it on:
// once orphaned, stop too instead of holding the port.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 300).unref();
