/**
 * The cores a fuzz run can drive: the real `RawNode`, or one of the deliberately broken
 * variants that `@webraft/core/testing` exposes so tests can prove the checks catch bugs.
 */
import { RawNode } from '@webraft/core';
import { createRawNodeWithMutants, mutants, type Mutant } from '@webraft/core/testing';
import type { CoreFactory } from '../sim-node.ts';

export const realCore: CoreFactory = (options, restore) => new RawNode(options, restore);

export function mutantNames(): readonly string[] {
  return mutants;
}

export function mutantCore(name: string): CoreFactory {
  if (!mutants.includes(name as Mutant)) throw new RangeError(`unknown mutant ${name}`);
  return (options, restore) => createRawNodeWithMutants(options, restore, [name as Mutant]);
}

export function coreFor(mutant: string | undefined): CoreFactory {
  return mutant === undefined ? realCore : mutantCore(mutant);
}
