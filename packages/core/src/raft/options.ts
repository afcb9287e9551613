/** RaftOptions with defaults filled in, checked once at construction. */
import type { RaftOptions } from './contract.ts';

import { RaftConfigError } from './errors.ts';

export { RaftConfigError };

export interface ResolvedOptions {
  readonly id: string;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxUncommittedEntriesSize: number;
  readonly maxCommittedSizePerReady: number;
  readonly proposalsWithoutLeader: 'forward' | 'reject';
  readonly readOnly: 'safe' | 'lease';
  readonly snapshotChunkBytes: number;
  readonly random: () => number;
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RaftConfigError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

export function resolveOptions(o: RaftOptions): ResolvedOptions {
  if (typeof o.id !== 'string' || o.id === '') throw new RaftConfigError('id must be a non-empty string');
  if (typeof o.random !== 'function') throw new RaftConfigError('random must be a function');
  const electionTicks = positiveInt('electionTicks', o.electionTicks ?? 10, 1);
  const heartbeatTicks = positiveInt('heartbeatTicks', o.heartbeatTicks ?? 1, 1);
  if (heartbeatTicks >= electionTicks) throw new RaftConfigError('heartbeatTicks must be below electionTicks');
  return {
    id: o.id,
    electionTicks,
    heartbeatTicks,
    preVote: o.preVote ?? true,
    checkQuorum: o.checkQuorum ?? true,
    maxSizePerMsg: positiveInt('maxSizePerMsg', o.maxSizePerMsg ?? 1024 * 1024, 0),
    maxInflightMsgs: positiveInt('maxInflightMsgs', o.maxInflightMsgs ?? 256, 1),
    maxInflightBytes: positiveInt('maxInflightBytes', o.maxInflightBytes ?? 0, 0),
    maxUncommittedEntriesSize: positiveInt('maxUncommittedEntriesSize', o.maxUncommittedEntriesSize ?? 0, 0),
    maxCommittedSizePerReady: positiveInt('maxCommittedSizePerReady', o.maxCommittedSizePerReady ?? 8 * 1024 * 1024, 0),
    proposalsWithoutLeader: o.proposalsWithoutLeader ?? 'forward',
    readOnly: o.readOnly ?? 'safe',
    snapshotChunkBytes: positiveInt('snapshotChunkBytes', o.snapshotChunkBytes ?? 256 * 1024, 1),
    random: o.random,
  };
}
