import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { describeMismatches, runScript } from './run.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const rewrite = process.env['REWRITE'] === '1' || process.env['WEBRAFT_REWRITE'] === '1';

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
