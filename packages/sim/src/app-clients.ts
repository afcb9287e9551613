/**
 * The application's users in a simulated run: now and then one replica dispatches a command
 * of the application's, made from the seeded random source and from that replica's own state
 * (which may be behind: a tab acts on what it shows), through its own `RaftNode` — as a tab
 * dispatches to its store, which forwards to the leader. A command its node definitely
 * refused must never be applied anywhere (Definite Failure).
 *
 * What a tab does when a command fails is the application's choice (`retry`): give up; send
 * it again as a new proposal, so a command whose first try timed out but was applied reaches
 * the reducer twice (the application's invariant has to catch what that breaks); or send it
 * again in a RaftNode exactly-once session, so it is applied at most once (the Raft invariant
 * At Most Once follows it by one id across every try).
 */
import { RaftNodeError } from '@webraft/core';
import type { SimCommand } from './machine.ts';
import { InvariantViolation } from './invariants.ts';
import type { AppMachine } from './app-machine.ts';
import { classify, type SimNode } from './sim-node.ts';
import type { Simulation } from './simulation.ts';
import type { Random } from './random.ts';
import type { TraceStep } from './trace.ts';

/** What a tab does when its node refused a command or could not say whether it was applied. */
export type RetryPolicy = 'never' | 'plain' | 'session';

export interface AppClientsConfig<S, C> {
  /** Commands to dispatch in the run. */
  readonly count: number;
  /** Pause between two dispatches, virtual ms, drawn from [0, gapMs). */
  readonly gapMs: number;
  /** A node's timeout for one command, virtual ms. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Tries of one command, the first included (`retry` other than 'never'). */
  readonly attempts: number;
  /** Pause before a retry, virtual ms, drawn from [retryDelayMs / 2, retryDelayMs). */
  readonly retryDelayMs: number;
  readonly commands: (random: Random, state: S) => C;
  /** The application's check of one command's answer: a message when it is wrong. */
  readonly checkResult: ((command: C, result: unknown) => string | undefined) | undefined;
  view(machine: AppMachine): S;
  /** A check broke outside a step of the checks' own (a definite failure that was applied, a wrong answer). */
  fail(property: string, detail: string): void;
}

/** The application's commands threw or returned nothing: a bug of the test, not of the application. */
export class AppCommandsError extends Error {
  override readonly name = 'AppCommandsError';
}

/** One dispatched command across its tries. */
interface Dispatch<C> {
  readonly number: number;
  readonly input: C;
  tries: number;
  /** Some try ended with an unknown outcome: it may still be applied. */
  maybeApplied: boolean;
  /** The node (and its life) the latest try went through. */
  through?: { readonly node: SimNode; readonly life: number };
  session?: { readonly clientId: string; readonly seq: number };
}

export class AppClients<S, C> {
  dispatched = 0;
  /** Final outcomes so far: applied, rejected by the application's own apply, refused by the node, unknown (a timeout...); and retries sent. */
  readonly outcomes = { ok: 0, rejected: 0, refused: 0, unknown: 0, retries: 0 };
  /** Dispatches happen between steps, so they get trace lines of their own (when tracing). */
  readonly trace: TraceStep[] = [];
  private nextDispatchAt: number;
  private readonly retries: { readonly at: number; readonly dispatch: Dispatch<C> }[] = [];
  /** Dispatched commands without a final outcome yet. */
  private readonly open = new Set<Dispatch<C>>();
  /** A fault sequence wants traffic through one node until `until`. */
  private steered: { readonly node: string; readonly until: number } | undefined;
  private readonly tracing: number;

  constructor(
    private readonly sim: Simulation,
    private readonly config: AppClientsConfig<S, C>,
  ) {
    this.nextDispatchAt = sim.now + sim.random.between(0, config.gapMs);
    this.tracing = sim.options.traceSteps ?? 0;
  }

  /** Virtual time of the next dispatch or retry. */
  get nextAt(): number {
    return Math.min(this.done ? Infinity : this.nextDispatchAt, this.retries[0]?.at ?? Infinity);
  }

  /** Every command dispatched. */
  get done(): boolean {
    return this.dispatched >= this.config.count;
  }

  /** Every command dispatched and no retry waiting (tries still in flight may yet ask for one, which is then not sent). */
  get finished(): boolean {
    return this.done && this.retries.length === 0;
  }

  /**
   * Nothing more to wait for: every command dispatched, no retry waiting, and no try in flight
   * on a node that still runs (one that crashed never answers, as a closed tab does not).
   */
  get quiet(): boolean {
    if (!this.finished) return false;
    for (const { through } of this.open) if (through !== undefined && through.node.incarnation === through.life) return false;
    return true;
  }

  /** The run is over: a command still without an answer has an unknown outcome. */
  finish(): void {
    this.outcomes.unknown += this.open.size;
    this.open.clear();
  }

  /** For `forMs` virtual ms, new commands go through `node` (while it runs), four times as often. */
  steer(node: string, forMs: number): void {
    this.steered = { node, until: this.sim.now + forMs };
    this.nextDispatchAt = Math.min(this.nextDispatchAt, this.sim.now + this.gap());
  }

  /** Sends the retries that are due, then the next command if it is due. */
  act(): void {
    while (this.retries[0] !== undefined && this.retries[0].at <= this.sim.now) {
      const { dispatch } = this.retries.shift() as { dispatch: Dispatch<C> };
      this.outcomes.retries++;
      this.send(dispatch);
    }
    if (!this.done && this.sim.now >= this.nextDispatchAt) this.dispatch();
  }

  /** Dispatches the next command through a random running replica (or waits for one). */
  private dispatch(): void {
    const sim = this.sim;
    this.nextDispatchAt = sim.now + this.gap();
    const node = this.steeredNode() ?? this.pickNode();
    if (node === undefined) return;
    let input: C;
    try {
      input = this.config.commands(sim.random, this.config.view(node.stateMachine as AppMachine));
    } catch (error) {
      throw new AppCommandsError(`commands() threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    if (input === undefined) throw new AppCommandsError('commands() returned undefined (RaftNode cannot carry it)');
    try {
      JSON.stringify(input);
    } catch (error) {
      throw new AppCommandsError(`commands() returned a command JSON cannot carry: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    const dispatch: Dispatch<C> = { number: ++this.dispatched, input, tries: 0, maybeApplied: false };
    this.open.add(dispatch);
    if (this.tracing > 0) this.traceLine(`${node.id} dispatches d${dispatch.number} ${short(input)}`);
    this.send(dispatch, node);
  }

  private gap(): number {
    const steering = this.steered !== undefined && this.sim.now < this.steered.until;
    return this.sim.random.between(0, steering ? this.config.gapMs / 4 : this.config.gapMs);
  }

  private steeredNode(): SimNode | undefined {
    if (this.steered === undefined || this.sim.now >= this.steered.until) return undefined;
    const node = this.sim.node(this.steered.node);
    return node.up && node.raft !== undefined && node.stateMachine !== undefined ? node : undefined;
  }

  private pickNode(): SimNode | undefined {
    const sim = this.sim;
    const running = sim.nodeIds().map((id) => sim.node(id)).filter((n) => n.up && n.raft !== undefined && n.stateMachine !== undefined);
    return running.length === 0 ? undefined : sim.random.pick(running);
  }

  private send(dispatch: Dispatch<C>, through = this.pickNode()): void {
    dispatch.tries++;
    if (through === undefined) return this.failed(dispatch, '', { kind: 'refused', reason: 'no node running' });
    if (dispatch.tries > 1 && this.tracing > 0) this.traceLine(`${through.id} retries d${dispatch.number} (try ${dispatch.tries})`);
    if (this.config.retry === 'session' && dispatch.session === undefined) return this.openSession(dispatch, through);
    // A plain retry is a new proposal with an id of its own: applying both is the application's problem.
    const id = this.config.retry === 'plain' && dispatch.tries > 1 ? `d${dispatch.number}.${dispatch.tries}` : `d${dispatch.number}`;
    const command: SimCommand<C> = { id, input: dispatch.input };
    const life = through.incarnation;
    dispatch.through = { node: through, life };
    const session = dispatch.session;
    through.raft?.propose(command, { timeoutMs: this.config.timeoutMs, ...(session !== undefined ? { session } : {}) }).then(
      (result) => {
        this.settle(dispatch, 'ok');
        if (this.tracing > 0 && life === through.incarnation) this.sim.note(`${through.id}: ${id} applied${result === undefined ? '' : ` → ${short(result)}`}`);
        const wrong = this.config.checkResult?.(dispatch.input, result);
        if (wrong !== undefined) this.config.fail('App Result', `${id} ${short(dispatch.input)} answered ${short(result)}: ${wrong}`);
      },
      (error: unknown) => {
        const outcome = classify(error);
        // Anything but the node's own errors is the application's apply throwing (on every replica alike).
        if (outcome.kind === 'unknown' && !(error instanceof RaftNodeError)) {
          this.settle(dispatch, 'rejected');
          if (this.tracing > 0 && life === through.incarnation) this.sim.note(`${through.id}: ${id} rejected by the application (${outcome.reason})`);
          return;
        }
        this.failed(dispatch, through.id, outcome, id);
      },
    );
  }

  private openSession(dispatch: Dispatch<C>, through: SimNode): void {
    dispatch.through = { node: through, life: through.incarnation };
    through.raft?.openSession({ timeoutMs: this.config.timeoutMs }).then(
      (session) => {
        dispatch.session = { clientId: session.clientId, seq: 1 };
        // Opening took this try; proposing is the same try.
        dispatch.tries--;
        this.send(dispatch, through.up && through.raft !== undefined ? through : this.pickNode());
      },
      (error: unknown) => this.failed(dispatch, through.id, classify(error)),
    );
  }

  /**
   * A try failed: retry later, or count the command's outcome. `id`: the command id the try
   * proposed (none when opening its session failed).
   */
  private failed(dispatch: Dispatch<C>, node: string, outcome: { readonly kind: 'refused' | 'unknown'; readonly reason: string }, id?: string): void {
    if (outcome.kind === 'unknown') dispatch.maybeApplied = true;
    if (this.tracing > 0 && node !== '') this.sim.note(`${node}: d${dispatch.number} try ${dispatch.tries} ${outcome.kind} (${outcome.reason})`);
    const retrying = this.config.retry !== 'never' && dispatch.tries < this.config.attempts && outcome.reason !== 'sessionExpired';
    // In a session every try proposes the same id: it has definitely failed only once no try can still apply it.
    const definite = outcome.kind === 'refused' && (this.config.retry !== 'session' || (!retrying && !dispatch.maybeApplied));
    if (definite && id !== undefined) this.definitelyFailed(id);
    if (retrying) {
      const delay = this.sim.random.between(this.config.retryDelayMs / 2, this.config.retryDelayMs);
      this.retries.push({ at: this.sim.now + delay, dispatch });
      this.retries.sort((a, b) => a.at - b.at || a.dispatch.number - b.dispatch.number);
      return;
    }
    this.settle(dispatch, dispatch.maybeApplied ? 'unknown' : 'refused');
  }

  private settle(dispatch: Dispatch<C>, outcome: 'ok' | 'rejected' | 'refused' | 'unknown'): void {
    // A try of a command settled already (a crash's late answer, say) changes nothing.
    if (!this.open.delete(dispatch)) return;
    this.outcomes[outcome]++;
  }

  private definitelyFailed(id: string): void {
    try {
      this.sim.invariants.definitelyFailed(id);
    } catch (error) {
      if (!(error instanceof InvariantViolation)) throw error;
      this.config.fail(error.property, error.detail);
    }
  }

  private traceLine(what: string): void {
    const nodes = this.sim.nodes().map(({ id, role, term, commit, lastIndex }) => ({ id, role: this.sim.node(id).up ? role : 'down', term, commit, lastIndex }));
    this.trace.push({ step: this.sim.steps, time: this.sim.now, what, nodes });
    if (this.trace.length > this.tracing) this.trace.shift();
  }
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
