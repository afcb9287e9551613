// Bundles src/workerd.ts for workerd with esbuild (ESM, the @webraft sources, the scenario
// scripts embedded) and writes the workerd configuration that runs it, with the Durable Object
// namespaces (in-memory storage, key-value and SQLite-backed) the Durable Object LogStore's cases
// run in.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const scenarioDir = fileURLToPath(new URL('../../packages/core/test/scenarios/', import.meta.url));

const embedScenarios: Plugin = {
  name: 'webraft-scenarios',
  setup(b) {
    b.onResolve({ filter: /^webraft:scenarios$/ }, (args) => ({ path: args.path, namespace: 'webraft-scenarios' }));
    b.onLoad({ filter: /.*/, namespace: 'webraft-scenarios' }, async () => {
      const texts: Record<string, string> = {};
      for (const file of (await readdir(scenarioDir)).filter((f) => f.endsWith('.txt'))) texts[file] = await readFile(join(scenarioDir, file), 'utf8');
      return { contents: `export default ${JSON.stringify(texts)};`, loader: 'js' };
    });
  },
};

/** Writes `worker.js` and `config.capnp` into `outDir`; returns the configuration's path. */
export async function bundleForWorkerd(outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [fileURLToPath(new URL('./workerd.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    outfile: join(outDir, 'worker.js'),
    plugins: [embedScenarios],
    logLevel: 'silent',
  });
  const config = join(outDir, 'config.capnp');
  await writeFile(
    config,
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "suites", worker = .suites) ],
);

const suites :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "LOG_STORES", durableObjectNamespace = "LogStoreSuite"),
    (name = "SQLITE_LOG_STORES", durableObjectNamespace = "SqliteLogStoreSuite"),
  ],
  durableObjectNamespaces = [
    (className = "LogStoreSuite", uniqueKey = "webraft-log-store-suite"),
    (className = "SqliteLogStoreSuite", uniqueKey = "webraft-sqlite-log-store-suite", enableSql = true),
  ],
  durableObjectStorage = (inMemory = void),
);
`,
  );
  return config;
}
