/**
 * A plain static file server (node:http, no build tool): what any static host does. It serves
 * `root` under the path `base` (e.g. `/playground/`), answers 404 for anything else, and
 * never serves a file outside `root`.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  /** The site's URL, ending in `base`. */
  readonly url: string;
  /** Paths asked for that were not found, for tests to assert on. */
  readonly missing: string[];
  close(): Promise<void>;
}

export async function serveStatic(root: string, base = '/'): Promise<StaticServer> {
  const missing: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const inside = path.startsWith(base) ? path.slice(base.length) : undefined;
      const file = inside === undefined ? undefined : normalize(join(root, inside === '' || inside.endsWith('/') ? `${inside}index.html` : inside));
      if (file === undefined || !(file === root || file.startsWith(root.endsWith(sep) ? root : root + sep)) || !(await stat(file).then((s) => s.isFile(), () => false))) {
        missing.push(path);
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    missing,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
