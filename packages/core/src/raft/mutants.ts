/**
 * Deliberately broken variants of the core, used only by the simulator's own tests to show
 * that its invariant checks catch real bugs. Never reachable from RaftOptions: a RawNode gets
 * mutants only through `createRawNodeWithMutants` in `@webraft/core/testing`.
 */
export type Mutant =
  /** Grant votes without the §5.4.1 up-to-date check. */
  | 'voteWithoutLogCheck'
  /** Count vote responses from earlier terms. */
  | 'countStaleVotes'
  /** Commit entries of earlier terms by counting replicas (the Figure 8 bug, §5.4.2). */
  | 'commitOldTermByCount'
  /** Send acknowledgements before the writes they depend on are durable. */
  | 'replyBeforePersist'
  /** Hand out entries for applying beyond the commit index. */
  | 'applyBeforeCommit'
  /** A leader adopts a higher term but keeps leading. */
  | 'noStepDownOnHigherTerm';

export const mutants: readonly Mutant[] = Object.freeze([
  'voteWithoutLogCheck',
  'countStaleVotes',
  'commitOldTermByCount',
  'replyBeforePersist',
  'applyBeforeCommit',
  'noStepDownOnHigherTerm',
] as const);

/** Key of the RawNode method that enables mutants; exported from the testing entry only. */
export const enableMutants: unique symbol = Symbol('webraft.enableMutants');
