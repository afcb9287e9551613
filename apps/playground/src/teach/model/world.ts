import type { NodeId } from '@webraft/core';
import type { Action } from './actions.ts';
import type { EventView, Frame } from './types.ts';

/**
 * The simulated cluster as the teaching view needs it. Deterministic: the same seed, size
 * and actions at the same times give the same frames. `sim-world.ts` implements it on
 * `@webraft/sim`. Moving it is asynchronous (its nodes are); looking at it is not.
 */
export interface World {
  /** Current virtual time in ms. */
  readonly now: number;
  /** Process every event up to and including virtual time `t`. */
  runUntil(t: number): Promise<void>;
  /** Apply a learner action at the current time. */
  apply(action: Action): Promise<void>;
  /** The cluster as it is now. */
  frame(): Frame;
  /** Events that happened since the last call (the session keeps the log). */
  drainEvents(): EventView[];
  /** Changes whenever anything a frame shows changes; equal versions mean equal frames. */
  readonly version: number;
  /** Every node id the run may ever use (members and nodes that can be added). */
  readonly allNodes: readonly NodeId[];
}

export interface WorldOptions {
  readonly seed: number;
  readonly nodes: number;
  /** The paper's original algorithm: PreVote and CheckQuorum off. @default false */
  readonly classic?: boolean;
}

/** Makes a world at time 0, ready to run. */
export type WorldFactory = (options: WorldOptions) => Promise<World>;
