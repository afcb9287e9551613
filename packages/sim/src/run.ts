/**
 * One fuzz run: a seeded world under the whole fault mix while the clients issue their
 * operations, then calm (heal, restart, lossless network) and liveness checks, then the
 * linearizability check of the client history. `(seed, options)` replays it exactly.
 */
import { historyToJson, type HistoryOp } from './history.ts';
import { InvariantViolation } from './invariants.ts';
import { checkLinearizable } from './linearizability.ts';
import { Nemesis, type NemesisOptions } from './nemesis.ts';
import type { CoreFactory } from './sim-node.ts';
import { Simulation, type SimOptions } from './simulation.ts';
import { RawNode } from '@webraft/core';
import { formatTrace, type TraceStep } from './trace.ts';

export interface FuzzOptions {
  /** Client operations per run. @default 300 */
  readonly ops?: number;
  /** Concurrent clients. @default 6 */
  readonly clients?: number;
  /** Cluster size; by default 3 or 5, chosen by the seed. */
  readonly nodes?: number;
  /** Inject faults during the workload. @default true */
  readonly faults?: boolean;
  /** Keep this many trace steps (for a failure report). @default 0 */
  readonly traceSteps?: number;
  /** Virtual ms the cluster gets, after faults stop, to elect a leader that commits. @default 5000 */
  readonly livenessMs?: number;
  /** The fault schedule's own options. */
  readonly nemesis?: NemesisOptions;
}

export interface Violation {
  readonly property: string;
  readonly detail: string;
  readonly step: number;
  /** Virtual ms. */
  readonly time: number;
  /** For a history that is not linearizable: the virtual-time span worth tracing. */
  readonly window?: { readonly from: number; readonly to: number };
}

export interface RunResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violation?: Violation;
  readonly history: readonly HistoryOp[];
  readonly steps: number;
  readonly virtualMs: number;
  readonly nodes: number;
  readonly trace: readonly TraceStep[];
  readonly network: { readonly sent: number; readonly delivered: number; readonly dropped: number; readonly duplicated: number };
}

/** The core every node runs: the library's own `RawNode` (in a mutant build, the broken one). */
export const rawNodeCore: CoreFactory = (options, restore) => new RawNode(options, restore);

/** The option space the fuzzer covers; each run takes one point of it from its seed. */
const axes = {
  /** [nodes, founders]: the rest start outside the cluster and may join or be added. */
  shape: [[3, 3], [5, 5], [4, 3], [5, 3]] as const,
  preVote: [true, false] as const,
  /** CheckQuorum off, on with ReadIndex by heartbeat round, on with leases. */
  reads: ['noCheckQuorum', 'safe', 'lease'] as const,
  maxBatchCommands: [1, 8] as const,
  /** [snapshotEvery, keepEntries] */
  snapshots: [[0, 5], [8, 0], [25, 5]] as const,
  /** One entry per message (followers acknowledge a new leader's log piece by piece), or the default. */
  oneEntryPerMessage: [false, true] as const,
  diskSpeed: ['fast', 'slow'] as const,
};

/** The point of the option space a seed runs: consecutive seeds enumerate every combination. */
export function fuzzPoint(seed: number): { [K in keyof typeof axes]: (typeof axes)[K][number] } {
  let rest = Math.floor(Math.abs(seed));
  const take = <T>(values: readonly T[]): T => {
    const value = values[rest % values.length] as T;
    rest = Math.floor(rest / values.length);
    return value;
  };
  return {
    shape: take(axes.shape),
    preVote: take(axes.preVote),
    reads: take(axes.reads),
    maxBatchCommands: take(axes.maxBatchCommands),
    snapshots: take(axes.snapshots),
    oneEntryPerMessage: take(axes.oneEntryPerMessage),
    diskSpeed: take(axes.diskSpeed),
  };
}

/** The number of combinations: every run of this many consecutive seeds covers each one. */
export const fuzzCombinations = Object.values(axes).reduce((n, values) => n * values.length, 1);

/** The world options a fuzz run uses for a seed. */
export function fuzzWorld(seed: number, createCore: CoreFactory, options: FuzzOptions = {}): SimOptions {
  const point = fuzzPoint(seed);
  const [nodes, founders] = options.nodes !== undefined ? [options.nodes, options.nodes] : point.shape;
  const [snapshotEvery, keepEntries] = point.snapshots;
  return {
    seed,
    createCore,
    nodes,
    voters: founders,
    // 150–300 ms election timeouts and 50 ms heartbeats in 25 ms ticks: the same timing as
    // 10 ms ticks, with fewer events to simulate.
    tickMs: 25,
    electionTicks: 6,
    heartbeatTicks: 2,
    clockSkew: 0.1,
    crashSurvivalRate: 0.3,
    snapshotEvery,
    keepEntries,
    maxBatchCommands: point.maxBatchCommands,
    diskSpeed: point.diskSpeed,
    preVote: point.preVote,
    checkQuorum: point.reads !== 'noCheckQuorum',
    raft: {
      // Small messages: one entry each, and snapshots in many chunks.
      ...(point.oneEntryPerMessage ? { maxSizePerMsg: 1, maxInflightMsgs: 4, snapshotChunkBytes: 96 } : {}),
      ...(point.reads === 'lease' ? { readOnly: 'lease' as const } : {}),
    },
    network: { dropRate: 0.02, duplicateRate: 0.05, minDelayMs: 0.5, maxDelayMs: 8, longDelayRate: 0.03, longDelayMs: 400 },
    workload: { clients: options.clients ?? 6, ops: options.ops ?? 300 },
    traceSteps: options.traceSteps ?? 0,
  };
}

export async function runSeed(seed: number, createCore: CoreFactory, options: FuzzOptions = {}): Promise<RunResult> {
  const sim = new Simulation(fuzzWorld(seed, createCore, options));
  const nemesis = new Nemesis(sim, options.nemesis);
  let violation: Violation | undefined;
  const fail = (property: string, detail: string, window?: Violation['window']): void => {
    violation = { property, detail, step: sim.steps, time: sim.now, ...(window ? { window } : {}) };
  };
  try {
    await sim.ready();
    const faults = options.faults ?? true;
    const workloadDone = (): boolean => sim.workload.done;
    const stop = (): boolean => workloadDone() || nemesis.due();
    while (!sim.workload.done) {
      const until = sim.now + nemesis.nextDelay();
      while ((await sim.runUntil(until, stop)) && !sim.workload.done) await nemesis.fireDue();
      if (sim.workload.done) break;
      if (faults) await nemesis.strike();
    }
    await sim.calm();
    const livenessMs = options.livenessMs ?? 5000;
    const elected = await sim.runUntil(sim.now + livenessMs, () => {
      const leader = sim.leader();
      return leader !== undefined && sim.invariants.committedInTerm(leader);
    });
    if (!elected) {
      fail('Liveness', `no leader committed an entry of its term within ${livenessMs} ms after faults stopped`);
    } else {
      sim.workload.submit({ op: 'put', key: 'k1', value: 'probe' }, { client: 'probe', timeoutMs: livenessMs, session: true, via: sim.leader()?.id ?? '' });
      await sim.runUntil(sim.now + livenessMs + 1000, () => sim.workload.isIdle('probe'));
      const last = sim.workload.history[sim.workload.history.length - 1];
      if (last?.client !== 'probe' || last.type !== 'ok') {
        fail('Liveness', `a write through the leader did not complete within ${livenessMs} ms after faults stopped`);
      }
    }
    sim.workload.abandonAll();
    if (violation === undefined) {
      const lin = checkLinearizable(sim.workload.history);
      if (!lin.ok) {
        const prefix = lin.longestPrefix.slice(-5).map((op) => JSON.stringify(op)).join('\n    ');
        fail(
          'Linearizability',
          `${lin.verdict === 'undecided' ? `undecided (${lin.reason}) ` : ''}key ${lin.key}: no linearization places ${JSON.stringify(lin.stuck)}\n  last placed operations:\n    ${prefix}`,
          // History times are virtual µs; trace the stuck operation and what led up to it.
          lin.stuck ? { from: lin.stuck.call / 1000 - 100, to: lin.stuck.return / 1000 } : undefined,
        );
      }
    }
  } catch (error) {
    if (!(error instanceof InvariantViolation)) throw error;
    fail(error.property, error.detail);
  }
  return {
    seed,
    ok: violation === undefined,
    ...(violation ? { violation } : {}),
    history: sim.workload.history,
    steps: sim.steps,
    virtualMs: sim.now,
    nodes: sim.nodeIds().length,
    trace: sim.trace(),
    network: { ...sim.network.stats },
  };
}

/**
 * A failure report: seed, property, replay command and a trace of at most `steps` steps — the
 * last ones, or for a non-linearizable history the last ones up to the operation that could
 * not be placed (trace the run with a large `traceSteps` for that).
 */
export function formatFailure(result: RunResult, replay: string, steps = 60): string {
  const v = result.violation;
  if (v === undefined) return `seed ${result.seed}: ok`;
  const w = v.window;
  const trace = (w ? result.trace.filter((s) => s.time >= w.from && s.time <= w.to) : result.trace).slice(-steps);
  return [
    `FAIL seed ${result.seed} (${result.nodes} nodes): ${v.property}`,
    `  ${v.detail}`,
    `  at step ${v.step}, t=${v.time.toFixed(3)} ms virtual`,
    `  replay: ${replay}`,
    '',
    w ? `trace from ${w.from.toFixed(1)} to ${w.to.toFixed(1)} ms (the unplaceable operation):` : 'trace of the last steps:',
    formatTrace(trace),
  ].join('\n');
}

export { historyToJson };
