/**
 * The application's users in a simulated run: now and then one replica dispatches a command
 * of the application's, made from the seeded random source and from that replica's own state
 * (which may be behind: a tab acts on what it shows), through its own `RaftNode` — as a tab
 * dispatches to its store, which forwards to the leader. Each command is proposed once; a
 * command its node definitely refused must never be applied anywhere (Definite Failure).
 */
import { RaftNodeError } from '@webraft/core';
import type { SimCommand } from './machine.ts';
import { InvariantViolation } from './invariants.ts';
import type { AppMachine } from './app-machine.ts';
import { classify, type SimNode } from './sim-node.ts';
import type { Simulation } from './simulation.ts';
import type { Random } from './random.ts';
import type { TraceStep } from './trace.ts';

export interface AppClientsConfig<S, C> {
  /** Commands to dispatch in the run. */
  readonly count: number;
  /** Pause between two dispatches, virtual ms, drawn from [0, gapMs). */
  readonly gapMs: number;
  /** A node's timeout for one command, virtual ms. */
  readonly timeoutMs: number;
  readonly commands: (random: Random, state: S) => C;
  view(machine: AppMachine): S;
  /** An invariant broke outside a step of the checks' own (a definite failure that was applied). */
  fail(property: string, detail: string): void;
}

/** The application's commands threw or returned nothing: a bug of the test, not of the application. */
export class AppCommandsError extends Error {
  override readonly name = 'AppCommandsError';
}

export class AppClients<S, C> {
  /** Virtual time of the next dispatch. */
  nextAt: number;
  dispatched = 0;
  /** Outcomes so far: applied, rejected by the application's own apply, refused by the node, unknown (a timeout...). */
  readonly outcomes = { ok: 0, rejected: 0, refused: 0, unknown: 0 };
  /** Dispatches happen between steps, so they get trace lines of their own (when tracing). */
  readonly trace: TraceStep[] = [];
  private readonly tracing: number;

  constructor(
    private readonly sim: Simulation,
    private readonly config: AppClientsConfig<S, C>,
  ) {
    this.nextAt = sim.now + sim.random.between(0, config.gapMs);
    this.tracing = sim.options.traceSteps ?? 0;
  }

  /** Every command dispatched. */
  get done(): boolean {
    return this.dispatched >= this.config.count;
  }

  /** Dispatches the next command through a random running replica (or waits for one). */
  dispatch(): void {
    const sim = this.sim;
    this.nextAt = sim.now + sim.random.between(0, this.config.gapMs);
    const running = sim.nodeIds().map((id) => sim.node(id)).filter((n) => n.up && n.raft !== undefined && n.stateMachine !== undefined);
    if (running.length === 0) return;
    const node = sim.random.pick(running);
    let input: C;
    try {
      input = this.config.commands(sim.random, this.config.view(node.stateMachine as AppMachine));
    } catch (error) {
      throw new AppCommandsError(`commands() threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    if (input === undefined) throw new AppCommandsError('commands() returned undefined (RaftNode cannot carry it)');
    const command: SimCommand<C> = { id: `d${++this.dispatched}`, input };
    if (this.tracing > 0) this.traceLine(`${node.id} dispatches ${command.id} ${short(input)}`);
    this.propose(node, command);
  }

  private traceLine(what: string): void {
    const nodes = this.sim.nodes().map(({ id, role, term, commit, lastIndex }) => ({ id, role: this.sim.node(id).up ? role : 'down', term, commit, lastIndex }));
    this.trace.push({ step: this.sim.steps, time: this.sim.now, what, nodes });
    if (this.trace.length > this.tracing) this.trace.shift();
  }

  private propose(node: SimNode, command: SimCommand<C>): void {
    const life = node.incarnation;
    node.raft?.propose(command, { timeoutMs: this.config.timeoutMs }).then(
      (result) => {
        this.outcomes.ok++;
        if (this.tracing > 0 && life === node.incarnation) this.sim.note(`${node.id}: ${command.id} applied${result === undefined ? '' : ` → ${short(result)}`}`);
      },
      (error: unknown) => {
        const outcome = classify(error);
        // Anything but the node's own errors is the application's apply throwing (on every replica alike).
        const byApp = outcome.kind === 'unknown' && !(error instanceof RaftNodeError);
        if (outcome.kind === 'refused') this.definitelyFailed(command.id);
        this.outcomes[byApp ? 'rejected' : outcome.kind]++;
        if (this.tracing > 0 && life === node.incarnation) this.sim.note(`${node.id}: ${command.id} ${byApp ? 'rejected by the application' : outcome.kind} (${outcome.reason})`);
      },
    );
  }

  private definitelyFailed(id: string): void {
    try {
      this.sim.invariants.definitelyFailed(id);
    } catch (error) {
      if (!(error instanceof InvariantViolation)) throw error;
      this.config.fail(error.property, error.detail);
    }
  }
}


function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
