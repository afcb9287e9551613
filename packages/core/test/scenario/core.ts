/** The one place the harness names the core implementation it drives. */
import type { RaftCore, RaftOptions, RaftRestore } from '../../src/raft/contract.ts';
import type { ConfChange } from '../../src/raft/types.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { decodeConfChange } from '../../src/raft/conf-change-codec.ts';
import { ScenarioError } from './args.ts';

export type CoreClass = new (options: RaftOptions, restore: RaftRestore) => RaftCore;

/** Builds of the core with a deliberate bug compiled in (see src/testing/mutants.ts), by name. */
const mutantCores = new Map<string, CoreClass>();

/** Makes a mutant build available to scripts that ask for it (`mutants=<name>`). */
export function registerMutantCore(name: string, core: CoreClass): void {
  mutantCores.set(name, core);
}

/**
 * A core, or one with a deliberate bug (`mutants`), so scripts can show that the harness's
 * invariant checks catch it. Mutant builds are made by a bundler, so they exist only where
 * the runner registered them (under Node).
 */
export function createCore(options: RaftOptions, restore: RaftRestore, mutants: readonly string[] = []): RaftCore {
  if (mutants.length === 0) return new RawNode(options, restore);
  if (mutants.length > 1) throw new ScenarioError('one mutant per node');
  const Core = mutantCores.get(mutants[0]!);
  if (Core === undefined) throw new ScenarioError(`mutant ${mutants[0]} is not loaded here (mutant builds are made under Node)`);
  return new Core(options, restore);
}

export function decodeConf(data: Uint8Array): ConfChange {
  return decodeConfChange(data);
}
