/**
 * Fuzzing an application's own logic: its reducer (as given to `createReplicatedStore` or
 * `createTabStore`) or its `StateMachine` runs on every node of a simulated cluster of real
 * `RaftNode`s, under the fuzzer's fault mix (partitions, one-way links, loss, duplication,
 * delays, crashes and restarts from disk, wiped disks, membership changes, snapshots...),
 * while replicas dispatch the application's commands. After every step the simulator checks
 * Raft's safety properties, that replicas which applied the same commands hold the same state,
 * and the application's invariant over every replica's state. `(seed, options)` replays a
 * run exactly: a failing seed comes back with its trace and the options to replay it.
 *
 * ```ts
 * const result = await simulateApp({
 *   initialState: { balance: 0 },
 *   apply: (state, command: { deposit: number }) => ({ balance: state.balance + command.deposit }),
 *   commands: (random) => ({ deposit: random.int(-5, 10) }),
 *   invariant: (replicas) => replicas.find((r) => r.state.balance < 0) && 'a negative balance',
 *   seeds: 50,
 * });
 * if (!result.ok) throw new Error(result.report);
 * ```
 */
import type { StateMachine } from '@webraft/core';
import { AppChecks, digestBytes, digestText, type Replica } from './app-checks.ts';
import { AppClients, type RetryPolicy } from './app-clients.ts';
import { AppMachine, jsonSerializer, ReducerMachine, type AppMachineListener, type StateSerializer } from './app-machine.ts';
import { InvariantViolation } from './invariants.ts';
import { Nemesis } from './nemesis.ts';
import type { Random } from './random.ts';
import { fuzzWorld, rawNodeCore } from './run.ts';
import { Simulation } from './simulation.ts';
import { formatTrace, type TraceStep } from './trace.ts';

/** Which seeds to run: the first N, a list, or a range. */
export type SeedSelection = number | readonly number[] | { readonly from: number; readonly count: number };

interface AppSimulationCommon<S, C> {
  /**
   * The next command a replica dispatches, made from the run's seeded random source (use
   * nothing else, or the run will not replay) and that replica's state, which may be behind
   * the others'. Commands travel as JSON, as with RaftNode's default codec.
   */
  readonly commands: (random: Random, state: S) => C;
  /**
   * The application's rule over all replicas, checked after every step in which a state
   * changed: a message saying what is wrong, or undefined. It must only read the states.
   */
  readonly invariant?: (replicas: readonly Replica<S>[]) => string | undefined;
  /**
   * The application's check of one command's answer (what its `apply` returned, e.g. the
   * `result` of `withResult`), on the node that was asked, each time a dispatch resolves: a
   * message saying what is wrong, or undefined.
   */
  readonly checkResult?: (command: C, result: unknown) => string | undefined;
  /**
   * What a tab does when its node refused a command or could not say whether it was applied
   * (a timeout, a crash): `'never'` gives up; `'plain'` proposes it again through a random
   * running node, as a new proposal, so a command whose first try was applied after all
   * reaches `apply` twice; `'session'` opens a RaftNode exactly-once session for the command
   * and proposes it again in that session, so it is applied at most once.
   * @default 'never'
   */
  readonly retry?: RetryPolicy;
  /** Tries of one command, the first included, when `retry` is not 'never'. @default 3 */
  readonly attempts?: number;
  /** @default 100 (seeds 0 to 99) */
  readonly seeds?: SeedSelection;
  /** Commands dispatched in each seed's run. @default 100 */
  readonly commandsPerSeed?: number;
  /** Cluster size. @default 3 or 5 (some of them joining later), chosen by the seed */
  readonly nodes?: number;
  /** Inject faults. @default true */
  readonly faults?: boolean;
  /** Steps of the failing seed's trace in the report. @default 60 */
  readonly traceSteps?: number;
}

/** A reducer, as `createReplicatedStore` and `createTabStore` take it. */
export interface ReducerApp<S, C> extends AppSimulationCommon<S, C> {
  readonly initialState: S;
  /** `(state, command) => next state`, or `withResult(next, result)` of `@webraft/store`. */
  readonly apply: (state: S, command: C) => S | { readonly state: S; readonly result: unknown };
  /** State ⇄ snapshot bytes; also what replicas are compared by. @default JSON */
  readonly serializer?: StateSerializer<S>;
}

/** A `StateMachine` of the application's; the invariant sees each replica's instance. */
export interface MachineApp<M extends StateMachine<C, unknown>, C> extends AppSimulationCommon<M, C> {
  /** A new instance in its initial state (one per node and life). */
  readonly stateMachine: () => M;
  /** Equal for equal states: replicas that applied the same commands are compared by it. @default none (no comparison) */
  readonly digest?: (machine: M) => string;
}

export interface AppFailure {
  readonly seed: number;
  /** `App Invariant`, `Replica Agreement`, `Liveness`, or one of Raft's (`Election Safety`, …). */
  readonly property: string;
  readonly detail: string;
  readonly step: number;
  /** Virtual ms. */
  readonly time: number;
  readonly nodes: number;
  /** Each replica's state when the run stopped, as text (its start). */
  readonly replicas: readonly string[];
  readonly trace: readonly TraceStep[];
  /** How to run this seed alone. */
  readonly replay: string;
}

export interface AppSimulationResult {
  readonly ok: boolean;
  /** The seeds run, the failing one last. */
  readonly seeds: readonly number[];
  /** What became of the dispatched commands, over every seed run. */
  readonly outcomes: { readonly ok: number; readonly rejected: number; readonly refused: number; readonly unknown: number; readonly retries: number };
  readonly failure?: AppFailure;
  /** One line for a success; the failure with its replay and trace otherwise. */
  readonly report: string;
}

export class SimulateAppOptionsError extends Error {
  override readonly name = 'SimulateAppOptionsError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** The application as the run needs it, whichever form it came in. */
interface AppModel<S> {
  create(): StateMachine<unknown, unknown>;
  view(app: StateMachine<unknown, unknown>): S;
  digest: ((app: StateMachine<unknown, unknown>) => ReturnType<typeof digestBytes>) | undefined;
}

const LIVENESS_MS = 5000;
const GAP_MS = 50;
const COMMAND_TIMEOUT_MS = 2000;
const RETRY_DELAY_MS = 200;
const retryPolicies: readonly RetryPolicy[] = ['never', 'plain', 'session'];

export function simulateApp<S, C>(options: ReducerApp<S, C>): Promise<AppSimulationResult>;
export function simulateApp<M extends StateMachine<C, unknown>, C>(options: MachineApp<M, C>): Promise<AppSimulationResult>;
export async function simulateApp<S, C>(options: ReducerApp<S, C> | MachineApp<StateMachine<C, unknown>, C>): Promise<AppSimulationResult> {
  const model = modelOf<S, C>(options);
  const seeds = seedList(options.seeds ?? 100);
  const perSeed = positive('commandsPerSeed', options.commandsPerSeed ?? 100);
  if (options.nodes !== undefined) positive('nodes', options.nodes);
  const traceSteps = positive('traceSteps', options.traceSteps ?? 60);
  positive('attempts', options.attempts ?? 3);
  if (!retryPolicies.includes(options.retry ?? 'never')) throw new SimulateAppOptionsError('retry', `expected one of ${retryPolicies.join(', ')}, got ${String(options.retry)}`);
  if (options.checkResult !== undefined && typeof options.checkResult !== 'function') throw new SimulateAppOptionsError('checkResult', 'expected a function (command, result) => string | undefined');
  const outcomes = { ok: 0, rejected: 0, refused: 0, unknown: 0, retries: 0 };
  const run: number[] = [];
  for (const seed of seeds) {
    run.push(seed);
    const result = await runSeed(seed, model, options as AppSimulationCommon<S, C>, perSeed, 0);
    for (const key of Object.keys(outcomes) as (keyof typeof outcomes)[]) outcomes[key] += result.outcomes[key];
    if (result.failure === undefined) continue;
    // The same seed again, tracing this time: it fails the same way, at the same step, unless
    // something outside the seed (Math.random in commands(), a clock) steers the run.
    const traced = await runSeed(seed, model, options as AppSimulationCommon<S, C>, perSeed, traceSteps);
    const again = traced.failure;
    const same = again !== undefined && again.property === result.failure.property && again.step === result.failure.step;
    const replay = `simulateApp({ ...options, seeds: [${seed}] })${same ? '' : ' (did not fail the same way when run again: does something outside the random source steer the run?)'}`;
    const failure: AppFailure = { ...(same ? again : result.failure), trace: traced.trace, replay };
    return { ok: false, seeds: run, outcomes, failure, report: formatAppFailure(failure, traceSteps) };
  }
  const retried = (options.retry ?? 'never') === 'never' ? '' : ` (after ${outcomes.retries} retries)`;
  const report = `ok: ${run.length} seeds, ${perSeed} commands each: ${outcomes.ok} applied, ${outcomes.rejected} rejected by the application, ${outcomes.refused} refused, ${outcomes.unknown} unknown${retried}`;
  return { ok: true, seeds: run, outcomes, report };
}

interface SeedRun {
  readonly failure: Omit<AppFailure, 'trace' | 'replay'> | undefined;
  readonly trace: readonly TraceStep[];
  readonly outcomes: AppClients<unknown, unknown>['outcomes'];
}

async function runSeed<S, C>(seed: number, model: AppModel<S>, options: AppSimulationCommon<S, C>, count: number, traceSteps: number): Promise<SeedRun> {
  const attempts = options.retry === undefined || options.retry === 'never' ? 1 : (options.attempts ?? 3);
  const view = (machine: AppMachine): S => model.view(machine.app);
  const digest = model.digest;
  let sim: Simulation | undefined;
  const checks = new AppChecks<S>({
    view,
    digest: digest === undefined ? undefined : (machine) => digest(machine.app),
    invariant: options.invariant,
    replicas: () => replicasOf(sim),
  });
  // With tracing, every replica's applies and restores show in the trace too.
  const listener: AppMachineListener =
    traceSteps === 0
      ? checks
      : {
          applied: (machine, id, index) => {
            sim?.note(`${machine.node} applies ${id} at ${index}`);
            checks.applied(machine, id);
          },
          restored: (machine, lastApplied) => {
            sim?.note(`${machine.node} restores a snapshot${lastApplied === '' ? '' : ` ending at ${lastApplied}`}`);
            checks.restored(machine, lastApplied);
          },
        };
  const world = fuzzWorld(seed, rawNodeCore, { traceSteps, ...(options.nodes !== undefined ? { nodes: options.nodes } : {}) });
  sim = new Simulation({
    ...world,
    workload: { clients: 0, ops: 0 },
    stateMachine: (observer, node) => {
      const machine = new AppMachine(node, model.create(), observer, listener);
      checks.created(machine);
      return machine;
    },
  });
  // The nemesis's sequences get their traffic through a node from the application's clients.
  const nemesis = new Nemesis(sim, { steerClients: (node, forMs) => clients.steer(node, forMs) });
  const clients = new AppClients<S, C>(sim, {
    count,
    gapMs: GAP_MS,
    timeoutMs: COMMAND_TIMEOUT_MS,
    retry: options.retry ?? 'never',
    attempts,
    retryDelayMs: RETRY_DELAY_MS,
    commands: options.commands,
    checkResult: options.checkResult,
    view,
    fail: (property, detail) => checks.fail(property, detail),
  });
  let violation: { property: string; detail: string } | undefined;
  try {
    await sim.ready();
    await drive(sim, nemesis, clients, checks, options.faults ?? true);
    if (checks.failure === undefined) {
      await sim.calm();
      const current = sim;
      const elected = await sim.runUntil(sim.now + LIVENESS_MS, () => {
        if (checks.check()) return true;
        const leader = current.leader();
        return leader !== undefined && current.invariants.committedInTerm(leader);
      });
      if (!elected && checks.failure === undefined) checks.fail('Liveness', `no leader committed an entry of its term within ${LIVENESS_MS} ms after faults stopped`);
    }
    if (checks.failure === undefined) await drain(sim, clients, checks, sim.now + attempts * (COMMAND_TIMEOUT_MS + RETRY_DELAY_MS));
  } catch (error) {
    if (!(error instanceof InvariantViolation)) throw error;
    violation = { property: error.property, detail: error.detail };
  }
  if (violation === undefined) checks.check();
  const found = violation ?? checks.failure;
  clients.finish();
  const trace = [...sim.trace(), ...clients.trace].sort((a, b) => a.step - b.step || a.time - b.time);
  const replicas = (): string[] =>
    replicasOf(sim).map(({ machine, applied }) => `${machine.node} (applied ${applied}): ${digest?.(machine.app).preview ?? json(view(machine))}`);
  return {
    failure: found === undefined ? undefined : { seed, ...found, step: sim.steps, time: sim.now, nodes: sim.nodeIds().length, replicas: replicas() },
    trace,
    outcomes: { ...clients.outcomes },
  };
}

/** Dispatches every command while faults strike; stops at the first failed check. */
async function drive<S, C>(sim: Simulation, nemesis: Nemesis, clients: AppClients<S, C>, checks: AppChecks<S>, faults: boolean): Promise<void> {
  let faultAt = sim.now + nemesis.nextDelay();
  const stop = (): boolean => checks.check() || nemesis.due();
  while (!clients.finished) {
    if (await sim.runUntil(Math.min(clients.nextAt, faultAt), stop)) {
      if (checks.failure !== undefined) return;
      await nemesis.fireDue();
      continue;
    }
    if (sim.now >= clients.nextAt) clients.act();
    if (sim.now >= faultAt) {
      if (faults) await nemesis.strike();
      faultAt = sim.now + nemesis.nextDelay();
    }
  }
}

/** Lets the commands still in flight get their answers (or time out) and their retries, in calm. */
async function drain<S, C>(sim: Simulation, clients: AppClients<S, C>, checks: AppChecks<S>, until: number): Promise<void> {
  const stop = (): boolean => checks.check() || clients.quiet;
  while (!clients.quiet && sim.now < until) {
    if (await sim.runUntil(Math.min(clients.nextAt, until), stop)) return;
    if (sim.now >= clients.nextAt) clients.act();
  }
}

function replicasOf(sim: Simulation | undefined): { machine: AppMachine; applied: number }[] {
  if (sim === undefined) return [];
  const replicas: { machine: AppMachine; applied: number }[] = [];
  for (const id of sim.nodeIds()) {
    const node = sim.node(id);
    if (node.stateMachine instanceof AppMachine && node.raft !== undefined) replicas.push({ machine: node.stateMachine, applied: node.raft.status().applied });
  }
  return replicas;
}

function modelOf<S, C>(options: ReducerApp<S, C> | MachineApp<StateMachine<C, unknown>, C>): AppModel<S> {
  if (typeof options !== 'object' || options === null) throw new SimulateAppOptionsError('options', 'expected an object');
  if (typeof options.commands !== 'function') throw new SimulateAppOptionsError('commands', 'expected a function (random, state) => command');
  if (options.invariant !== undefined && typeof options.invariant !== 'function') throw new SimulateAppOptionsError('invariant', 'expected a function (replicas) => string | undefined');
  const isReducer = 'apply' in options;
  if (isReducer === 'stateMachine' in options) throw new SimulateAppOptionsError('apply', 'give a reducer (initialState and apply) or a stateMachine factory, one of the two');
  if (isReducer) {
    if (typeof options.apply !== 'function') throw new SimulateAppOptionsError('apply', 'expected a reducer (state, command) => state');
    if (!('initialState' in options)) throw new SimulateAppOptionsError('initialState', 'a reducer needs its initial state');
    const serializer = options.serializer ?? jsonSerializer<S>();
    const reducer = options.apply as (state: S, command: unknown) => unknown;
    return {
      create: () => new ReducerMachine<S, unknown>(options.initialState, reducer, serializer),
      view: (app) => (app as ReducerMachine<S, unknown>).state,
      digest: (app) => digestBytes(serializer.serialize((app as ReducerMachine<S, unknown>).state)),
    };
  }
  if (typeof options.stateMachine !== 'function') throw new SimulateAppOptionsError('stateMachine', 'expected a function that makes a new state machine');
  const create = options.stateMachine;
  const digest = options.digest;
  return {
    create,
    view: (app) => app as S,
    digest: digest === undefined ? undefined : (app) => digestText(digest(app as StateMachine<C, unknown>)),
  };
}

function seedList(seeds: SeedSelection): readonly number[] {
  const seed = (value: unknown): number => {
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw new SimulateAppOptionsError('seeds', `a seed must be an integer ≥ 0, got ${String(value)}`);
    return value as number;
  };
  if (typeof seeds === 'number') return Array.from({ length: positive('seeds', seeds) }, (_, i) => i);
  if (Array.isArray(seeds)) {
    if (seeds.length === 0) throw new SimulateAppOptionsError('seeds', 'an empty list');
    return seeds.map(seed);
  }
  const range = seeds as { from: number; count: number };
  const from = seed(range.from);
  return Array.from({ length: positive('seeds.count', range.count) }, (_, i) => from + i);
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new SimulateAppOptionsError(option, `expected an integer ≥ 1, got ${String(value)}`);
  return value;
}

function json(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function formatAppFailure(failure: AppFailure, steps = 60): string {
  return [
    `FAIL seed ${failure.seed} (${failure.nodes} nodes): ${failure.property}`,
    `  ${failure.detail}`,
    `  at step ${failure.step}, t=${failure.time.toFixed(3)} ms virtual`,
    `  replay: ${failure.replay}`,
    '  replicas:',
    ...failure.replicas.map((r) => `    ${r}`),
    '',
    'trace of the last steps:',
    formatTrace(failure.trace.slice(-steps)),
  ].join('\n');
}
