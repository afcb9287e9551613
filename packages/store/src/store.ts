import { RaftNode } from '@webraft/core';
import type { RaftNodeOptions, RequestOptions, ProposeOptions, StateMachine } from '@webraft/core';
import { unwrapReduced } from './reducer.ts';
import type { Reducer } from './reducer.ts';
import { jsonStateSerializer, type StateSerializer } from './serializer.ts';

/** What a subscriber learns with each new state. */
export interface StateChange<C> {
  /** The log index that produced the state. */
  readonly index: number;
  /** The command applied, or undefined when the state was restored from a snapshot. */
  readonly command?: C;
}

export type StateListener<S, C> = (state: S, change: StateChange<C>) => void;

export interface ReplicatedStoreOptions<S, C, R> extends Omit<RaftNodeOptions<StateMachine<C, R | undefined>>, 'stateMachine'> {
  readonly initialState: S;
  /** The reducer run on every replica for every committed command (see {@link Reducer}). */
  readonly apply: Reducer<S, C, R>;
  /** @default JSON */
  readonly serializer?: StateSerializer<S>;
  /** Start the node at once. @default true */
  readonly start?: boolean;
}

export interface ReplicatedStore<S, C, R> {
  /** The node underneath: status, events, membership, leadership transfer. */
  readonly node: RaftNode<StateMachine<C, R | undefined>>;
  /**
   * Replicates `command` and resolves with the reducer's result (see `withResult`) once it is
   * applied here. Waits for a leader when none is known yet. Rejects with NotLeaderError,
   * TimeoutError or StoppedError from @webraft/core.
   */
  dispatch(command: C, options?: ProposeOptions): Promise<R | undefined>;
  /** This replica's state: everything it has applied, possibly behind the leader. */
  getState(): S;
  /** Called after every change of this replica's state; returns the unsubscribe function. */
  subscribe(listener: StateListener<S, C>): () => void;
  /** A linearizable read: the state including every command committed before the call. */
  read(options?: RequestOptions): Promise<S>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

class ReducerStateMachine<S, C, R> implements StateMachine<C, R | undefined> {
  readonly listeners = new Set<StateListener<S, C>>();

  constructor(
    public state: S,
    private readonly reducer: Reducer<S, C, R>,
    private readonly serializer: StateSerializer<S>,
  ) {}

  apply(command: C, index: number): R | undefined {
    // A throwing reducer throws on every replica alike, so the state stays as it was everywhere.
    const { state, result } = unwrapReduced(this.reducer(this.state, command));
    this.state = state;
    this.notify({ index, command });
    return result;
  }

  snapshot(): Uint8Array {
    return this.serializer.serialize(this.state);
  }

  restore(data: Uint8Array): void {
    this.state = this.serializer.deserialize(data);
    this.notify({ index: -1 });
  }

  private notify(change: StateChange<C>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(this.state, change);
      } catch (error) {
        // A subscriber's bug must not stop the replica from applying the log.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/**
 * Application state replicated by Raft: a reducer over commands, like a Redux store whose
 * every dispatch goes through the log.
 *
 * ```ts
 * const store = await createReplicatedStore({
 *   id: 'a', members: ['a', 'b', 'c'], log, transport,
 *   initialState: { count: 0 },
 *   apply: (state, command: { add: number }) => ({ count: state.count + command.add }),
 * });
 * await store.dispatch({ add: 1 });
 * ```
 */
export async function createReplicatedStore<S, C, R = undefined>(
  options: ReplicatedStoreOptions<S, C, R>,
): Promise<ReplicatedStore<S, C, R>> {
  const { initialState, apply, serializer = jsonStateSerializer<S>(), start = true, ...nodeOptions } = options;
  const machine = new ReducerStateMachine<S, C, R>(initialState, apply, serializer);
  const node = await RaftNode.create({ ...nodeOptions, stateMachine: machine });
  const store: ReplicatedStore<S, C, R> = {
    node,
    dispatch: (command, proposeOptions) => node.propose(command, proposeOptions),
    getState: () => machine.state,
    subscribe(listener) {
      machine.listeners.add(listener);
      return () => machine.listeners.delete(listener);
    },
    read: (readOptions) => node.read(() => machine.state, readOptions),
    start: () => node.start(),
    stop: () => node.stop(),
  };
  if (start) await node.start();
  return store;
}
