/**
 * One fuzz run: a seeded world under the whole fault mix while the clients issue their
 * operations, then calm (heal, restart, lossless network) and liveness checks, then the
 * linearizability check of the client history. `(seed, options)` replays it exactly.
 */
import { historyToJson, type HistoryOp } from './history.ts';
import { InvariantViolation } from './invariants.ts';
import { checkLinearizable } from './linearizability.ts';
import { Nemesis } from './nemesis.ts';
import type { CoreFactory } from './sim-node.ts';
import { Simulation, type SimOptions } from './simulation.ts';
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

/** The world options a fuzz run uses for a seed (the seed also picks cluster size and snapshot rate). */
export function fuzzWorld(seed: number, createCore: CoreFactory, options: FuzzOptions = {}): SimOptions {
  // The shape rotates with the seed so every range of seeds covers each cluster size and snapshot rate.
  const shape = seed % 4;
  return {
    seed,
    createCore,
    nodes: options.nodes ?? (shape === 3 ? 5 : 3),
    // 150–300 ms election timeouts and 50 ms heartbeats in 25 ms ticks: the same timing as
    // 10 ms ticks, with fewer events to simulate.
    tickMs: 25,
    electionTicks: 6,
    heartbeatTicks: 2,
    clockSkew: 0.1,
    crashSurvivalRate: 0.3,
    snapshotEvery: shape === 0 ? 0 : shape === 1 ? 8 : 25,
    keepEntries: shape === 1 ? 0 : 5,
    // Every other seed sends one entry per message, so followers acknowledge a new leader's
    // log piece by piece (old-term entries before the leader's own).
    raft: {
      ...(seed % 2 === 1 ? { maxSizePerMsg: 1, maxInflightMsgs: 4 } : {}),
      // Every fifth seed serves ReadIndex from the leader's lease instead of a heartbeat round.
      ...(seed % 5 === 4 ? { readOnly: 'lease' as const } : {}),
    },
    // A third of the seeds run without PreVote, so candidates time out and retry in new terms.
    preVote: seed % 3 !== 2,
    network: { dropRate: 0.02, duplicateRate: 0.02, minDelayMs: 0.5, maxDelayMs: 8, longDelayRate: 0.03, longDelayMs: 400 },
    workload: { clients: options.clients ?? 6, ops: options.ops ?? 300 },
    traceSteps: options.traceSteps ?? 0,
  };
}

export function runSeed(seed: number, createCore: CoreFactory, options: FuzzOptions = {}): RunResult {
  const sim = new Simulation(fuzzWorld(seed, createCore, options));
  const nemesis = new Nemesis(sim);
  let violation: Violation | undefined;
  const fail = (property: string, detail: string, window?: Violation['window']): void => {
    violation = { property, detail, step: sim.steps, time: sim.now, ...(window ? { window } : {}) };
  };
  try {
    const faults = options.faults ?? true;
    const workloadDone = (): boolean => sim.workload.done;
    while (!sim.workload.done) {
      const until = sim.now + nemesis.nextDelay();
      if (sim.runUntil(until, workloadDone)) break;
      if (faults) nemesis.strike();
    }
    sim.calm();
    const livenessMs = options.livenessMs ?? 5000;
    const elected = sim.runUntil(sim.now + livenessMs, () => {
      const leader = sim.leader();
      return leader !== undefined && sim.invariants.committedInTerm(leader);
    });
    if (!elected) {
      fail('Liveness', `no leader committed an entry of its term within ${livenessMs} ms after faults stopped`);
    } else {
      sim.workload.submit({ op: 'put', key: 'k1', value: 'probe' }, 'probe', 'log', livenessMs);
      sim.runUntil(sim.now + livenessMs + 1000, () => sim.workload.isIdle('probe'));
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
          `${lin.undecided ? 'undecided (search budget exhausted) ' : ''}key ${lin.key}: no linearization places ${JSON.stringify(lin.stuck)}\n  last placed operations:\n    ${prefix}`,
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
