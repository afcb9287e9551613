import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { mutantRawNode } from '../mutant-cores.ts';
import { registerMutantCore } from './core.ts';
import { describeMismatches, runScript } from './run.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const rewrite = process.env.REWRITE === '1' || process.env.WEBRAFT_REWRITE === '1';

// Scripts that run a broken core name it with `mutants=`: build each once.
for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
  for (const [, name] of readFileSync(join(dir, file), 'utf8').matchAll(/mutants=(\w+)/g)) registerMutantCore(name!, await mutantRawNode(name!));
}

describe('raft scenarios', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, () => {
      const path = join(dir, file);
      const source = readFileSync(path, 'utf8');
      const result = runScript(source);
      if (rewrite) {
        if (result.rewritten !== source) writeFileSync(path, result.rewritten);
        return;
      }
      if (result.mismatches.length > 0) throw new Error(describeMismatches(file, result.mismatches));
    });
  }
});
