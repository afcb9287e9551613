/** Errors a driver can act on. Network input never throws: it gets a Rejection instead. */

/** RaftOptions that cannot work (e.g. heartbeatTicks ≥ electionTicks). */
export class RaftConfigError extends Error {
  override readonly name = 'RaftConfigError';
}

/** A misuse of the RawNode API by its driver (e.g. persisted() of a write never handed out). */
export class RaftUsageError extends Error {
  override readonly name = 'RaftUsageError';
}

/** RaftRestore data that cannot come from a correct LogStore (e.g. a hole in the entries). */
export class RaftRestoreError extends Error {
  override readonly name = 'RaftRestoreError';
}
