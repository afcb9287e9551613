import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entries = ['index.ts', 'log-export.ts'].map((file) => new URL(`../../src/${file}`, import.meta.url).pathname);

// Minifiers rename classes; an error's `name` is what logs and `error.name === ...` checks see,
// so it must come out of a production bundle as it went in.
describe('error names in a minified bundle', () => {
  for (const entry of entries) {
    it(`every error class exported by ${entry.replace(/^.*\/src\//, '')} keeps its name`, async () => {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
      });
      const dir = await mkdtemp(join(tmpdir(), 'webraft-names-'));
      try {
        const file = join(dir, 'bundle.mjs');
        await writeFile(file, result.outputFiles[0]!.contents);
        const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        const errors = Object.entries(exports).filter(
          (entry): entry is [string, new (...args: unknown[]) => Error] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
        );
        expect(errors.length).toBeGreaterThan(0);
        for (const [name, ErrorClass] of errors) {
          expect({ name, got: construct(ErrorClass).name }).toEqual({ name, got: name });
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

/** An instance of `ErrorClass`, built with the first of a few argument shapes its constructor takes. */
function construct(ErrorClass: new (...args: unknown[]) => Error): Error {
  const shapes: unknown[][] = [['decode', 'detail'], [0, []]];
  for (const args of shapes) {
    try {
      return new ErrorClass(...args);
    } catch {
      // Try the next shape.
    }
  }
  throw new Error(`${ErrorClass.name}: no argument shape constructs it`);
}
