/** The one place the harness names the core implementation it drives. */
import type { RaftCore, RaftOptions, RaftRestore } from '../../src/raft/contract.ts';
import type { ConfChange } from '../../src/raft/types.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { decodeConfChange } from '../../src/raft/conf-change-codec.ts';
import { enableMutants, mutants as knownMutants, type Mutant } from '../../src/raft/mutants.ts';
import { ScenarioError } from './args.ts';

/**
 * A core, optionally with deliberately broken behaviour (`mutants`), so scripts can show that
 * the harness's invariant checks catch each of those bugs.
 */
export function createCore(options: RaftOptions, restore: RaftRestore, mutants: readonly string[] = []): RaftCore {
  const node = new RawNode(options, restore);
  if (mutants.length > 0) {
    for (const m of mutants) {
      if (!(knownMutants as readonly string[]).includes(m)) throw new ScenarioError(`unknown mutant ${m}`);
    }
    node[enableMutants](mutants as readonly Mutant[]);
  }
  return node;
}

export function decodeConf(data: Uint8Array): ConfChange {
  return decodeConfChange(data);
}
