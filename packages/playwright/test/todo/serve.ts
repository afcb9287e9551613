/**
 * Serves examples/multi-tab-todo as a test build (the page and the store's Worker with the
 * fault hooks) on a free port of 127.0.0.1 and prints its URL; Playwright's `webServer` starts
 * it and stops it.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- a plain .mjs module shared by every browser test, without types.
import { bundleForBrowser } from '../../../../tools/bundle.mjs';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const [html, page, worker] = await Promise.all([
  readFile(here('../../../../examples/multi-tab-todo/index.html'), 'utf8'),
  bundleForBrowser(here('page.ts')) as Promise<string>,
  bundleForBrowser(here('worker.ts')) as Promise<string>,
]);
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const script = path === '/main.js' ? page : path === '/store-worker.js' ? worker : undefined;
  if (script !== undefined) res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  else if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  else res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`todo test build on http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
});
