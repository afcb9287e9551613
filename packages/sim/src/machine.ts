/**
 * What a simulated node's state machine is to the simulator: a `StateMachine` over commands
 * that carry an id unique per client operation, reporting every apply and every restore so the
 * invariants can follow each command (At Most Once, Definite Failure, Applied Never Rolled
 * Back). The key-value store of the fuzzer is one (`KvStore`); an application's own state
 * machine or reducer runs as another (`AppMachine`, see `simulateApp`).
 */
import type { StateMachine } from '@webraft/core';

/** A command as the simulated clients propose it. */
export interface SimCommand<I = unknown> {
  /** Unique per client operation (kept across retries). */
  readonly id: string;
  readonly input: I;
}

/** What a node's state machine tells the invariants. */
export interface AppliedObserver<C extends SimCommand = SimCommand> {
  /** `command` reached the state machine at `index`; `duplicate`: it had reached it before. */
  applied(index: number, command: C, duplicate: boolean): void;
  /** A snapshot replaced the state: `before` were the commands applied until then. */
  restored(before: ReadonlySet<string>, after: ReadonlySet<string>): void;
}

export type SimStateMachine = StateMachine<SimCommand, unknown>;

/**
 * Builds the state machine of one life of node `node` (a restart builds a new one and
 * restores it from the node's durable snapshot).
 */
export type StateMachineFactory = (observer: AppliedObserver, node: string) => SimStateMachine;
