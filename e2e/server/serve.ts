/**
 * The e2e servers: bundles the test page and its worker (esbuild, `source` condition), serves
 * them on 127.0.0.1 and runs a WebSocket relay beside them, both on free ports. Prints one
 * JSON line `{"web": …, "relay": …}` when ready; stops on SIGTERM or when stdin closes.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startRelay } from '@webraft/transport-ws/relay';
import { applyMutant, mutantNamed } from '@webraft/core/testing';
import { mutantPlugin } from '../../tools/mutants.mjs';

const page = (name: string) => fileURLToPath(new URL(`../page/${name}`, import.meta.url));

const bundle = await build({
  entryPoints: {
    main: page('main.ts'),
    worker: page('worker.ts'),
    // The tab store's page (`/tabs`) and the store's own Worker.
    'tab-store': page('tab-store.ts'),
    'store-worker': fileURLToPath(new URL('../../packages/store/src/worker.ts', import.meta.url)),
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  conditions: ['source'],
  // simple-peer (WebRTC) still refers to Node's `global`.
  define: { global: 'globalThis' },
  splitting: true,
  outdir: '/',
  write: false,
  logLevel: 'error',
});
const files = new Map(bundle.outputFiles.map((f) => [f.path, f.text]));

/** `/mutant/<name>/worker.js`: the node's worker with a deliberately broken core compiled in, built on first use. */
const mutantWorkers = new Map<string, Promise<string>>();
function mutantWorker(name: string): Promise<string> {
  let js = mutantWorkers.get(name);
  if (js === undefined) {
    js = build({
      entryPoints: [page('worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source'],
      define: { global: 'globalThis' },
      write: false,
      logLevel: 'error',
      plugins: [mutantPlugin(mutantNamed(name), applyMutant)],
    }).then((out) => out.outputFiles[0]!.text);
    mutantWorkers.set(name, js);
  }
  return js;
}
const html = '<!doctype html><meta charset="utf-8"><title>webraft e2e</title><script type="module" src="/main.js"></script>';

const web = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const js = files.get(path);
  const mutant = /^\/mutant\/([A-Za-z]+)\/worker\.js$/.exec(path)?.[1];
  if (mutant !== undefined) {
    mutantWorker(mutant).then(
      (code) => res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(code),
      (error: Error) => res.writeHead(404).end(error.message),
    );
  } else if (js !== undefined) res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(js);
  else if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  else if (path === '/tabs') res.writeHead(200, { 'content-type': 'text/html' }).end(html.replace('/main.js', '/tab-store.js'));
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
const relay = await startRelay({ host: '127.0.0.1', port: 0 });
const { port } = web.address() as { port: number };
process.stdout.write(`${JSON.stringify({ web: `http://127.0.0.1:${port}/`, relay: relay.url })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  web.closeAllConnections();
  await Promise.allSettled([relay.close(), new Promise((resolve) => web.close(resolve))]);
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
