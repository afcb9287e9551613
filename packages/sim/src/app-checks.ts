/**
 * The application's checks in a simulated run, beside Raft's own:
 * - Replica Agreement: replicas that applied the same commands hold the same state (by a
 *   digest of each replica's state after every apply and restore), which a reducer that reads
 *   the clock or `Math.random`, mutates shared objects, or a snapshot that loses part of the
 *   state breaks;
 * - the application's invariant, a function over every replica's state, after every step
 *   in which some replica's state changed.
 * Like the Raft invariants, a check never throws into a node: the first failure is kept and
 * the run stops after the step.
 */
import type { AppMachine, AppMachineListener } from './app-machine.ts';

/** One replica as the application's invariant sees it. */
export interface Replica<S> {
  readonly node: string;
  /** Index of the last log entry this replica applied. */
  readonly applied: number;
  readonly state: S;
}

export interface AppFailureKind {
  readonly property: string;
  readonly detail: string;
}

export interface Digest {
  readonly hash: number;
  readonly length: number;
  /** The start of the state, for the failure report. */
  readonly preview: string;
}

export interface AppChecksConfig<S> {
  /** The state the invariant sees. */
  view(machine: AppMachine): S;
  /** The state's digest; undefined when the application gives none (no agreement check). */
  digest: ((machine: AppMachine) => Digest) | undefined;
  invariant: ((replicas: readonly Replica<S>[]) => string | undefined) | undefined;
  /** The replicas now: every node that runs a state machine. */
  replicas(): readonly { readonly machine: AppMachine; readonly applied: number }[];
}

export class AppChecks<S> implements AppMachineListener {
  failure: AppFailureKind | undefined;
  /** The digest of the first replica that reached a state, by the id of the last command applied ('' before any). */
  private readonly reached = new Map<string, { readonly node: string; readonly digest: Digest }>();
  private changed = true;

  constructor(private readonly config: AppChecksConfig<S>) {}

  /** A node built a new state machine (a start or restart): its initial state must be everyone's. */
  created(machine: AppMachine): void {
    this.agree(machine, '', 'started with');
  }

  applied(machine: AppMachine, id: string): void {
    this.agree(machine, id, `applied ${id} and holds`);
  }

  restored(machine: AppMachine, lastApplied: string): void {
    this.agree(machine, lastApplied, `restored a snapshot${lastApplied === '' ? '' : ` ending at ${lastApplied}`} and holds`);
  }

  /** Runs the invariant if a state changed since the last call; true once anything failed. */
  check(): boolean {
    if (this.failure !== undefined) return true;
    if (!this.changed || this.config.invariant === undefined) return false;
    this.changed = false;
    const replicas = this.config.replicas().map(({ machine, applied }) => ({ node: machine.node, applied, state: this.config.view(machine) }));
    let verdict: string | undefined;
    try {
      verdict = this.config.invariant(replicas);
    } catch (error) {
      verdict = `the invariant threw ${describe(error)}`;
    }
    if (verdict !== undefined) this.fail('App Invariant', verdict);
    return this.failure !== undefined;
  }

  fail(property: string, detail: string): void {
    this.failure ??= { property, detail };
  }

  /** The replicas that hold a state other than the first one's; undefined without a digest. */
  disagreeing(): string | undefined {
    const digest = this.config.digest;
    if (digest === undefined) return undefined;
    const states = this.config.replicas().map(({ machine, applied }) => ({ node: machine.node, applied, digest: digest(machine) }));
    const first = states[0];
    const other = states.find((s) => first !== undefined && !sameDigest(s.digest, first.digest));
    if (first === undefined || other === undefined) return undefined;
    return `${first.node} (applied ${first.applied}) holds ${first.digest.preview}; ${other.node} (applied ${other.applied}) holds ${other.digest.preview}`;
  }

  private agree(machine: AppMachine, key: string, what: string): void {
    this.changed = true;
    const digest = this.config.digest;
    if (digest === undefined || this.failure !== undefined) return;
    let mine: Digest;
    try {
      mine = digest(machine);
    } catch (error) {
      this.fail('App Error', `the digest of ${machine.node}'s state threw ${describe(error)}`);
      return;
    }
    const first = this.reached.get(key);
    if (first === undefined) {
      this.reached.set(key, { node: machine.node, digest: mine });
      return;
    }
    if (sameDigest(first.digest, mine)) return;
    const where = key === '' ? 'before any command' : `after ${key}`;
    this.fail('Replica Agreement', `${machine.node} ${what} ${mine.preview}, but ${first.node} held ${first.digest.preview} ${where}`);
  }
}

const decoder = new TextDecoder();
const PREVIEW_CHARS = 300;

/** A digest of a state's bytes (FNV-1a), with the start of their text for reports. */
export function digestBytes(bytes: Uint8Array): Digest {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  const text = decoder.decode(bytes.subarray(0, PREVIEW_CHARS * 4));
  return { hash: h >>> 0, length: bytes.length, preview: preview(text) };
}

export function digestText(text: string): Digest {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return { hash: h >>> 0, length: text.length, preview: preview(text) };
}

function preview(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

function sameDigest(a: Digest, b: Digest): boolean {
  return a.hash === b.hash && a.length === b.length;
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
