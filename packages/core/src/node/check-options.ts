/** RaftNode options: validation, and the core knobs passed through to RawNode. */
import type { RaftOptions } from '../raft/contract.ts';
import { InvalidArgumentError } from './errors.ts';
import type { AnyStateMachine, RaftNodeOptions } from './options.ts';

const knobNames = [
  'electionTicks',
  'heartbeatTicks',
  'preVote',
  'checkQuorum',
  'maxSizePerMsg',
  'maxInflightMsgs',
  'maxInflightBytes',
  'maxUncommittedEntriesSize',
  'maxCommittedSizePerReady',
  'proposalsWithoutLeader',
  'readOnly',
  'snapshotChunkBytes',
] as const satisfies readonly (keyof RaftOptions)[];

export function pickKnobs(options: RaftNodeOptions<AnyStateMachine>): Partial<RaftOptions> {
  const knobs: Record<string, unknown> = {};
  for (const name of knobNames) if (options[name] !== undefined) knobs[name] = options[name];
  return knobs as Partial<RaftOptions>;
}

export function validateOptions(options: RaftNodeOptions<AnyStateMachine>): void {
  const fail = (detail: string): never => {
    throw new InvalidArgumentError(`RaftNode options: ${detail}`);
  };
  if (typeof options.id !== 'string' || options.id === '') fail('id must be a non-empty string');
  if (options.members !== undefined && (!Array.isArray(options.members) || options.members.some((m) => typeof m !== 'string' || m === ''))) {
    fail('members must be non-empty strings');
  }
  if (options.members !== undefined && options.members.length > 0 && !options.members.includes(options.id)) {
    fail(`members must include this node (${options.id})`);
  }
  const sm = options.stateMachine as Partial<AnyStateMachine> | undefined;
  if (typeof sm?.apply !== 'function' || typeof sm.snapshot !== 'function' || typeof sm.restore !== 'function') {
    fail('stateMachine needs apply, snapshot and restore');
  }
  if (options.transport?.id !== options.id) fail(`transport.id (${String(options.transport?.id)}) differs from id (${options.id})`);
  if (options.tickMs !== undefined && !(options.tickMs > 0)) fail('tickMs must be > 0');
  for (const name of ['requestTimeoutMs', 'snapshotEvery', 'snapshotBytes', 'snapshotKeepEntries', 'sessionTtlEntries', 'maxBatchCommands'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) fail(`${name} must be a non-negative number`);
  }
}
