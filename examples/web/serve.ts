// Serves a browser example: its index.html, main.ts bundled by esbuild (`@webraft/*` from
// their sources) and the tab store's Worker at /store-worker.js. Nothing else: the pages need
// no server besides this static one.
//   node --import tsx examples/web/serve.ts auction|multi-tab-todo [--port 8090]
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from '../../tools/bundle.mjs';

export interface ServedPage {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves examples/<example>/ on 127.0.0.1 (a secure context: Web Locks and IndexedDB work). */
export async function servePage(example: string, port = 0): Promise<ServedPage> {
  const dir = new URL(`../${example}/`, import.meta.url);
  const [html, script, storeWorker] = await Promise.all([
    readFile(new URL('index.html', dir), 'utf8'),
    bundleForBrowser(fileURLToPath(new URL('main.ts', dir))),
    bundleForBrowser(fileURLToPath(new URL('../../packages/store/src/worker.ts', import.meta.url))),
  ]);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/main.js' || path === '/store-worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(path === '/main.js' ? script : storeWorker);
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '8090' } } });
  const example = positionals[0];
  if (example !== 'auction' && example !== 'multi-tab-todo') {
    process.stderr.write('usage: serve.ts auction|multi-tab-todo [--port N]\n');
    process.exit(2);
  }
  const page = await servePage(example, Number(values.port));
  process.stdout.write(`${example}: ${page.origin}/ (open it in several tabs)\n`);
}
