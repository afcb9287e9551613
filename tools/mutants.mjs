// Builds the library with one deliberately broken variant (a mutant of `@webraft/core/testing`)
// compiled in, for the tests that must catch it: the simulator, the scenario harness, the
// browser tests. The shipped sources carry no switch for any mutant; the broken code exists
// only in these bundles.
import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const coreSource = /[\\/]packages[\\/]core[\\/]src[\\/].+\.ts$/;

/**
 * An esbuild plugin that applies `mutant`'s edits while the core's sources load.
 * @param {import('../packages/core/src/testing/mutants.ts').Mutant} mutant
 * @param {typeof import('../packages/core/src/testing/mutants.ts').applyMutant} applyMutant
 */
export function mutantPlugin(mutant, applyMutant) {
  const touched = new Set();
  return {
    name: `mutant-${mutant.name}`,
    setup(b) {
      b.onLoad({ filter: coreSource }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const edited = mutant.edits.filter((e) => args.path.replace(/\\/g, '/').endsWith(`core/src/${e.file}`));
        if (edited.length === 0) return undefined;
        for (const e of edited) touched.add(e.file);
        return { contents: applyMutant(mutant, args.path.replace(/\\/g, '/'), source), loader: 'ts' };
      });
      b.onEnd((result) => {
        if (result.errors.length > 0) return;
        const missing = mutant.edits.map((e) => e.file).filter((f) => !touched.has(f));
        if (missing.length > 0) throw new Error(`mutant ${mutant.name}: ${missing.join(', ')} is not part of this bundle`);
      });
    },
  };
}

const cache = new Map();

/**
 * Imports `entry` (a module of this repository) bundled with `mutant` compiled in, for Node.
 * @param {string} entry absolute path of the module
 */
export async function importWithMutant(entry, mutant, applyMutant) {
  const key = `${entry}\n${mutant.name}`;
  let loading = cache.get(key);
  if (loading === undefined) {
    loading = (async () => {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        conditions: ['source'],
        packages: 'bundle',
        write: false,
        logLevel: 'silent',
        plugins: [mutantPlugin(mutant, applyMutant)],
      });
      const dir = await mkdtemp(join(tmpdir(), `webraft-mutant-${mutant.name}-`));
      const file = join(dir, 'bundle.mjs');
      await writeFile(file, result.outputFiles[0].text);
      return import(pathToFileURL(file).href);
    })();
    cache.set(key, loading);
  }
  return loading;
}
