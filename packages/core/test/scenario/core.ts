/** The one place the harness names the core implementation it drives. */
import type { RaftCore, RaftOptions, RaftRestore } from '../../src/raft/contract.ts';
import type { ConfChange } from '../../src/raft/types.ts';
import { RawNode } from '../../src/raft/raw-node.ts';
import { decodeConfChange } from '../../src/raft/conf-change-codec.ts';

export function createCore(options: RaftOptions, restore: RaftRestore): RaftCore {
  return new RawNode(options, restore);
}

export function decodeConf(data: Uint8Array): ConfChange {
  return decodeConfChange(data);
}
