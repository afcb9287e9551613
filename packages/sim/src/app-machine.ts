/**
 * An application's own state machine, or its reducer, as a simulated node runs it. The node's
 * `RaftNode` applies envelopes `{ id, input }`: the envelope's id lets the invariants follow
 * every command (applied at most once, never after a definite failure, never rolled back by a
 * snapshot), and the application's code sees only `input`, its own command. A snapshot holds
 * the application's bytes beside the ids, so restoring one is checked like any other.
 *
 * After every apply and restore the machine tells its listener, which compares the state's
 * digest across replicas (see `simulate-app.ts`): replicas that applied the same commands
 * must hold the same state.
 */
import type { StateMachine } from '@webraft/core';
import type { AppliedObserver, SimCommand, SimStateMachine } from './machine.ts';

/** Turns a reducer's state into bytes and back (as `createReplicatedStore`'s `serializer`). */
export interface StateSerializer<S> {
  serialize(state: S): Uint8Array;
  deserialize(bytes: Uint8Array): S;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function jsonSerializer<S>(): StateSerializer<S> {
  return {
    serialize: (state) => encoder.encode(JSON.stringify(state)),
    deserialize: (bytes) => JSON.parse(decoder.decode(bytes)) as S,
  };
}

/**
 * `withResult(state, result)` of `@webraft/store` marks its value with this registered symbol,
 * so a reducer written for the store runs here unchanged.
 */
const resultTag = Symbol.for('webraft.withResult');

/** A reducer `(state, command) => state` (or `withResult(state, result)`) as a state machine. */
export class ReducerMachine<S, C> implements StateMachine<C, unknown> {
  state: S;

  constructor(
    initialState: S,
    private readonly reducer: (state: S, command: C) => unknown,
    private readonly serializer: StateSerializer<S>,
  ) {
    // Each replica gets its own copy, as each tab has: a reducer that mutates its state in
    // place must not change the others'.
    this.state = serializer.deserialize(serializer.serialize(initialState));
  }

  apply(command: C): unknown {
    // A throwing reducer throws on every replica alike: the state stays as it was everywhere.
    const reduced = this.reducer(this.state, command);
    if (isWithResult<S>(reduced)) {
      this.state = reduced.state;
      return reduced.result;
    }
    this.state = reduced as S;
    return undefined;
  }

  snapshot(): Uint8Array {
    return this.serializer.serialize(this.state);
  }

  restore(bytes: Uint8Array): void {
    this.state = this.serializer.deserialize(bytes);
  }
}

/** Told after every apply (and after a failed one) and every restore. */
export interface AppMachineListener {
  /** Command `id` was applied at `index` (or the application threw on it). */
  applied(machine: AppMachine, id: string, index: number): void;
  /** A snapshot replaced the state; `lastApplied` is the id of the last command it includes ('' for none). */
  restored(machine: AppMachine, lastApplied: string): void;
}

export class AppSnapshotError extends Error {
  override readonly name = 'AppSnapshotError';
}

interface Header {
  readonly ops: string[];
  readonly last: string;
}

export class AppMachine implements SimStateMachine {
  private ops = new Set<string>();
  private last = '';

  constructor(
    readonly node: string,
    /** The application's state machine (a `ReducerMachine` for a reducer). */
    readonly app: StateMachine<unknown, unknown>,
    private readonly observer: AppliedObserver,
    private readonly listener: AppMachineListener,
  ) {}

  apply(command: SimCommand, index: number): unknown {
    const duplicate = this.ops.has(command.id);
    this.observer.applied(index, command, duplicate);
    this.ops.add(command.id);
    this.last = command.id;
    const done = (): void => this.listener.applied(this, command.id, index);
    let result: unknown;
    try {
      result = this.app.apply(command.input, index);
    } catch (error) {
      done();
      throw error;
    }
    if (!isThenable(result)) {
      done();
      return result;
    }
    return result.then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  }

  snapshot(): Uint8Array | Promise<Uint8Array> {
    const header = encoder.encode(JSON.stringify({ ops: [...this.ops], last: this.last } satisfies Header));
    const pack = (appBytes: Uint8Array): Uint8Array => {
      const out = new Uint8Array(4 + header.length + appBytes.length);
      new DataView(out.buffer).setUint32(0, header.length);
      out.set(header, 4);
      out.set(appBytes, 4 + header.length);
      return out;
    };
    const appBytes = this.app.snapshot();
    return appBytes instanceof Uint8Array ? pack(appBytes) : appBytes.then(pack);
  }

  restore(bytes: Uint8Array): void | Promise<void> {
    if (bytes.length < 4) throw new AppSnapshotError(`a snapshot of ${bytes.length} bytes has no header`);
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    if (4 + length > bytes.length) throw new AppSnapshotError(`a header of ${length} bytes in a snapshot of ${bytes.length}`);
    const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as Header;
    const done = (): void => {
      const before = this.ops;
      this.ops = new Set(header.ops);
      this.last = header.last;
      this.observer.restored(before, this.ops);
      this.listener.restored(this, header.last);
    };
    const restoring = this.app.restore(bytes.subarray(4 + length));
    if (isThenable(restoring)) return restoring.then(done);
    done();
    return undefined;
  }
}

function isWithResult<S>(value: unknown): value is { readonly state: S; readonly result: unknown } {
  return typeof value === 'object' && value !== null && resultTag in value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
