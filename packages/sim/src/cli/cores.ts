/**
 * The simulator a fuzz run drives: this package as it is, or bundled with one of the
 * deliberately broken variants of `@webraft/core/testing` compiled in (`--mutant`), which the
 * invariants must catch. Mutant builds need esbuild and this repository's tools/mutants.mjs.
 */
import { applyMutant, mutantNamed, mutants } from '@webraft/core/testing';
import type * as SimModule from '../index.ts';

export type Sim = Pick<typeof SimModule, 'runSeed' | 'rawNodeCore' | 'formatFailure'>;

export function mutantNames(): readonly string[] {
  return mutants.map((m) => m.name);
}

/** The simulator with `mutant` compiled in (undefined: the real one). @throws MutantError for an unknown name. */
export async function loadSim(mutant: string | undefined): Promise<Sim> {
  if (mutant === undefined) return import('../index.ts');
  const broken = mutantNamed(mutant);
  const { importWithMutant } = await import(new URL('../../../../tools/mutants.mjs', import.meta.url).href);
  return (await importWithMutant(new URL('../index.ts', import.meta.url).pathname, broken, applyMutant)) as Sim;
}
