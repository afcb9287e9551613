/** Loads builds of the core with one deliberate bug compiled in (Node only: it bundles with esbuild). */
import { fileURLToPath } from 'node:url';
import { importWithMutant } from '../../../tools/mutants.mjs';
import type { RawNode } from '../src/raft/raw-node.ts';
import { applyMutant, mutantNamed } from '../src/testing/mutants.ts';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

export async function mutantRawNode(name: string): Promise<typeof RawNode> {
  const module = await importWithMutant<{ RawNode: typeof RawNode }>(entry, mutantNamed(name), applyMutant);
  return module.RawNode;
}
