/**
 * Serves the test builds on a free port of 127.0.0.1 and prints the URL; Playwright's
 * `webServer` starts it and stops it.
 *   /            examples/multi-tab-todo with the fault hooks (page and the store's Worker)
 *   /node.html   one RaftNode over BroadcastChannel per tab (`?node=a&members=a,b,c&cluster=x`)
 *   /plain.html  a page built without the hooks
 *   /install.html  a page that only imports `@webraft/playwright/install`
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from '../../../tools/bundle.mjs';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const bundle = (path: string) => bundleForBrowser(here(path));
const [todoHtml, todoPage, todoWorker, nodePage, installPage] = await Promise.all([
  readFile(here('../../../examples/multi-tab-todo/index.html'), 'utf8'),
  bundle('todo/page.ts'),
  bundle('todo/worker.ts'),
  bundle('node/page.ts'),
  bundle('install/page.ts'),
]);
const nodeHtml = '<!doctype html><meta charset="utf-8"><title>node</title><script type="module" src="/node.js"></script>';
const scripts: Record<string, string> = { '/main.js': todoPage, '/store-worker.js': todoWorker, '/node.js': nodePage, '/install.js': installPage };
const pages: Record<string, string> = {
  '/': todoHtml,
  '/node.html': nodeHtml,
  '/plain.html': '<!doctype html><title>a page without the hooks</title>',
  '/install.html': '<!doctype html><title>hooks from /install</title><script type="module" src="/install.js"></script>',
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (scripts[path] !== undefined) res.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[path]);
  else if (pages[path] !== undefined) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pages[path]);
  else res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`test builds on http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
});
