import type { Plugin } from 'esbuild';
import type { Mutant, applyMutant } from '../packages/core/src/testing/mutants.ts';

/** An esbuild plugin that applies `mutant`'s edits while the core's sources load. */
export function mutantPlugin(mutant: Mutant, apply: typeof applyMutant): Plugin;
/** Imports `entry` (an absolute path) bundled for Node with `mutant` compiled in. */
export function importWithMutant<T = Record<string, unknown>>(entry: string, mutant: Mutant, apply: typeof applyMutant): Promise<T>;
