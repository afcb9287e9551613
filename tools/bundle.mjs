// Bundles one module for a browser page, as the browser tests and examples serve it: ESM,
// es2022, and `@webraft/*` packages resolved to their TypeScript sources.
import { build } from 'esbuild';

/** @param {string} entry path of the module @returns {Promise<string>} the bundled script */
export async function bundleForBrowser(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
