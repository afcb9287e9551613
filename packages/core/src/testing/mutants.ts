/**
 * Deliberately broken cores for testing test tools (the simulator's invariant checks must
 * catch each of them). Not exported from the main entry point.
 */
import type { RaftOptions, RaftRestore } from '../raft/contract.ts';
import { enableMutants, mutants, type Mutant } from '../raft/mutants.ts';
import { RawNode } from '../raft/raw-node.ts';

export { mutants, type Mutant };

export function createRawNodeWithMutants(
  options: RaftOptions,
  restore: RaftRestore | undefined,
  enabled: readonly Mutant[],
): RawNode {
  for (const m of enabled) if (!mutants.includes(m)) throw new RangeError(`unknown mutant ${String(m)}`);
  const node = new RawNode(options, restore);
  node[enableMutants](enabled);
  return node;
}
