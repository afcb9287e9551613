/**
 * Starting a node from what its LogStore holds: a brand-new (or wiped) store gets its identity
 * first, the state machine is restored from the stored snapshot, the core is built, and a
 * founder of a new cluster sets out to find the others.
 */
import type { RaftOptions, RaftRestore } from '../raft/contract.ts';
import { RawNode } from '../raft/raw-node.ts';
import type { ConfState, HardState, NodeId, Snapshot } from '../raft/types.ts';
import type { StoredState } from '../storage/log-store.ts';
import type { Applier } from './applier.ts';
import { pickKnobs } from './check-options.ts';
import { StorageError } from './errors.ts';
import type { Members } from './members.ts';
import type { AnyStateMachine, RaftNodeOptions } from './options.ts';
import type { ReadyLoop } from './ready-loop.ts';
import type { SessionTable } from './sessions.ts';
import { wrapSnapshot } from './snapshot-image.ts';
import { newStoreId } from './store-id.ts';

/** Errors of the language itself: from a store, they say little, so they are wrapped. */
const builtInErrors = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);

/** A store's own typed error (locked by another tab, wiped, corrupt...) as it is; any other wrapped in a StorageError. */
export function loadError(id: NodeId, error: unknown): Error {
  if (error instanceof Error && !builtInErrors.has(error.name)) return error;
  return new StorageError(`node ${id}: cannot load the log store: ${String(error instanceof Error ? error.message : error)}`, { cause: error });
}

/** The state machine's image as a snapshot at index 0 carries it. */
export async function initialImage(stateMachine: AnyStateMachine, sessions: SessionTable): Promise<Uint8Array> {
  return wrapSnapshot(await stateMachine.snapshot(), sessions);
}

export interface BootParts {
  readonly loop: ReadyLoop;
  readonly applier: Applier;
  readonly members: Members;
  readonly stateMachine: AnyStateMachine;
  readonly sessions: SessionTable;
}

/** Brings the loop's core, store identity and applier to where the store left them. */
export async function boot<SM extends AnyStateMachine>(parts: BootParts, options: RaftNodeOptions<SM>, loaded: StoredState): Promise<void> {
  const { loop, applier } = parts;
  const random = options.random ?? Math.random;
  const stored = loaded.empty ? await claimStore(parts, options, random) : loaded;
  loop.store = stored.hardState.store;
  if (stored.snapshot !== undefined) {
    await applier.restoreInitial(stored.snapshot);
    loop.snapshotFloor = stored.snapshot.meta.index;
  }
  const restore: RaftRestore = {
    hardState: stored.hardState,
    entries: stored.entries,
    applied: applier.applied,
    ...(stored.snapshot !== undefined ? { snapshot: stored.snapshot } : {}),
  };
  const coreOptions: RaftOptions = { ...pickKnobs(options), id: loop.id, random };
  loop.core = (options.createCore ?? ((o, r) => new RawNode(o, r)))(coreOptions, restore);
  if (stored.snapshot === undefined) applier.conf = loop.core.status().conf;
  const members = [...new Set(options.members ?? [])];
  const status = loop.core.status();
  if (members.length > 1 && loop.store !== undefined && status.conf.voters.length === 0 && status.lastIndex === 0) {
    parts.members.found(loop.store, members);
  }
}

/**
 * A brand-new (or wiped) store gets its identity, durable before anything else. A lone
 * founder settles its one-voter configuration at once, as a snapshot at index 0 (the state
 * machine's initial image); founders of a larger cluster settle theirs with each other
 * first (see Founding). A restart finds the configuration in the store, so `members` is
 * consulted only while none is there.
 */
async function claimStore<SM extends AnyStateMachine>(parts: BootParts, options: RaftNodeOptions<SM>, random: () => number): Promise<StoredState> {
  const id = parts.loop.id;
  const members = options.members;
  const store = newStoreId(random);
  const hardState: HardState = { term: 0, vote: '', commit: 0, store };
  const alone = members !== undefined && members.length > 0 && members.every((member) => member === id);
  const conf: ConfState = { voters: [id], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, stores: { [id]: store } };
  const snapshot: Snapshot | undefined = alone ? { meta: { index: 0, term: 0, conf }, data: await initialImage(parts.stateMachine, parts.sessions) } : undefined;
  try {
    await options.log.write(snapshot === undefined ? { hardState } : { hardState, saveSnapshot: snapshot });
  } catch (error) {
    throw new StorageError(`node ${id}: cannot write to the new log store`, { cause: error });
  }
  return { hardState, ...(snapshot !== undefined ? { snapshot } : {}), entries: [], empty: false };
}
