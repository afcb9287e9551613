import { defineConfig, type Plugin } from 'vitest/config';
import { applyMutant, mutantNamed } from './src/testing/mutants.ts';

/**
 * `WEBRAFT_MUTANT=<name> npx vitest run <file>` runs tests against a deliberately broken
 * variant of the sources (see src/testing/mutants.ts): the test written for a bug must fail.
 */
function mutant(): Plugin[] {
  const name = process.env.WEBRAFT_MUTANT;
  if (name === undefined || name === '') return [];
  const broken = mutantNamed(name);
  return [
    {
      name: 'webraft-mutant',
      enforce: 'pre',
      transform(code, id) {
        const file = id.replace(/\\/g, '/').split('?')[0]!;
        if (!file.includes('/packages/core/src/') || !broken.edits.some((e) => file.endsWith(`core/src/${e.file}`))) return undefined;
        return applyMutant(broken, file, code);
      },
    },
  ];
}

export default defineConfig({
  plugins: mutant(),
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
