#!/usr/bin/env node
// Size budgets of what a browser page downloads, minified and gzipped (level 9), as esbuild
// bundles it for the browser from the sources (ESM, es2022):
// - `@webraft/core`'s main entry, every export of it;
// - a page using the tab store: `createTabStore` from `@webraft/store`, code-split the way an
//   application bundler splits it, counting what the page loads before its first await (its
//   entry chunk and every chunk that imports statically). The Raft nodes, the IndexedDB log and
//   the in-page host come in a chunk of their own, loaded by `import()` only for
//   `worker: false`; the default runs them in the store's Worker (`@webraft/store/worker`),
//   which is reported for information.
// Each bundle has a target and a ceiling: over its ceiling the check fails; a ceiling above its
// target is the size measured when the budget was set (rounded up to 100 bytes), so a bundle can
// shrink but not grow.
import { gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const KB = 1024;

/** @typedef {{ name: string, what: string, contents: string, targetBytes?: number, ceilingBytes?: number }} Budget */

/** @type {Budget[]} */
const budgets = [
  {
    name: '@webraft/core main entry',
    what: "export * from '@webraft/core'",
    contents: "export * from '@webraft/core';",
    targetBytes: 15 * KB,
    ceilingBytes: 37_500,
  },
  {
    name: 'page using the tab store',
    what: 'createTabStore, subscribe and dispatch; the entry chunk and its static imports',
    contents:
      "import { createTabStore } from '@webraft/store';\n" +
      "const store = await createTabStore({ name: 'todos', initialState: 0, apply: (n, c) => n + c });\n" +
      'store.subscribe((n) => console.log(n));\nawait store.dispatch(1);',
    targetBytes: 20 * KB,
    ceilingBytes: 20 * KB,
  },
  {
    name: "the tab store's Worker (information)",
    what: "@webraft/store/worker, every chunk",
    contents: "import '@webraft/store/worker';",
  },
];

/** The gzipped bytes of `contents` bundled: of the chunks loaded before any `import()` and of all chunks. */
async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'page.ts' },
    bundle: true,
    splitting: true,
    outdir: '/out',
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const gzipped = new Map(result.outputFiles.map((file) => [basename(file.path), gzipSync(file.contents, { level: 9 }).length]));
  const outputs = new Map(Object.entries(result.metafile.outputs).map(([path, meta]) => [basename(path), meta]));
  const entry = [...outputs].find(([, meta]) => meta.entryPoint !== undefined)[0];
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const imported of outputs.get(name).imports) if (imported.kind === 'import-statement') visit(basename(imported.path));
  };
  visit(entry);
  const sum = (names) => [...names].filter((n) => n.endsWith('.js')).reduce((total, n) => total + gzipped.get(n), 0);
  return { initialBytes: sum(initial), allBytes: sum(gzipped.keys()) };
}

const kb = (bytes) => `${bytes.toLocaleString('en')} B (${(bytes / KB).toFixed(1)} KB)`;
let failed = 0;
for (const budget of budgets) {
  const { initialBytes, allBytes } = await measure(budget.contents);
  const lazy = allBytes > initialBytes ? `, ${kb(allBytes - initialBytes)} more loaded by import()` : '';
  let verdict = '';
  if (budget.ceilingBytes !== undefined) {
    const over = initialBytes > budget.ceilingBytes;
    if (over) failed++;
    const target = budget.targetBytes === budget.ceilingBytes ? `budget ${kb(budget.targetBytes)}` : `ceiling ${kb(budget.ceilingBytes)}, target ${kb(budget.targetBytes)}`;
    verdict = ` — ${over ? 'OVER' : 'within'} ${target}`;
  }
  process.stdout.write(`${budget.name}: ${kb(initialBytes)} min+gzip${lazy}${verdict}\n    ${budget.what}\n`);
}
if (failed > 0) {
  process.stdout.write(`${failed} bundle(s) over budget\n`);
  process.exit(1);
}
