/**
 * A teaching run in the URL hash: `#seed=7&nodes=5&actions=1200.crash.s2~1500.restart.s2&t=4000`.
 * The seed, the cluster size, the rules (`raft=classic`) and the actions replay the run
 * exactly; `t` is where the view stands; a guided scenario adds its name and the virtual time
 * at which each of its steps began (`marks`).
 */
import { decodeAction, encodeAction, type Action } from './actions.ts';

export interface RunSpec {
  readonly seed: number;
  readonly nodes: number;
  readonly actions: readonly Action[];
  /** Virtual time the view shows; the run is simulated at least this far. */
  readonly time: number;
  /** PreVote and CheckQuorum off: the paper's original algorithm. */
  readonly classic?: boolean;
  /** A guided scenario by name. */
  readonly scenario?: string;
  /** Virtual time at which each step of the scenario began, in step order. */
  readonly marks?: readonly number[];
}

export const minNodes = 3;
export const maxNodes = 7;
export const defaultRun: RunSpec = { seed: 1, nodes: 5, actions: [], time: 0 };

export function encodeRun(run: RunSpec): string {
  const params = new URLSearchParams();
  params.set('seed', String(run.seed));
  params.set('nodes', String(run.nodes));
  if (run.classic === true) params.set('raft', 'classic');
  if (run.actions.length > 0) params.set('actions', run.actions.map(encodeAction).join('~'));
  if (run.time > 0) params.set('t', String(Math.round(run.time)));
  if (run.scenario !== undefined) params.set('scenario', run.scenario);
  if (run.marks !== undefined && run.marks.length > 0) params.set('marks', run.marks.map((m) => Math.round(m)).join('~'));
  // URLSearchParams escapes '~' and '+'; both are safe in a fragment and easier to read unescaped.
  return `#${params.toString().replaceAll('%7E', '~').replaceAll('%2B', '+')}`;
}

/** Reads a hash; missing or malformed fields fall back to the defaults (bad actions throw). */
export function decodeRun(hash: string): RunSpec {
  const params = new URLSearchParams(hash.replace(/^#/, '').replaceAll('+', '%2B'));
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const value = Number(params.get(name));
    return params.has(name) && Number.isSafeInteger(value) && value >= min && value <= max ? value : fallback;
  };
  const actionsText = params.get('actions') ?? '';
  const actions = actionsText === '' ? [] : actionsText.split('~').map(decodeAction);
  actions.sort((a, b) => a.t - b.t);
  const scenario = params.get('scenario') ?? undefined;
  const run: RunSpec = {
    seed: whole('seed', defaultRun.seed, 0, 2 ** 31),
    nodes: whole('nodes', defaultRun.nodes, minNodes, maxNodes),
    actions,
    time: whole('t', 0, 0, 2 ** 40),
    ...(params.get('raft') === 'classic' ? { classic: true } : {}),
  };
  if (scenario === undefined) return run;
  return { ...run, scenario, marks: decodeMarks(params.get('marks') ?? '') };
}

/** Step start times: whole, non-negative and increasing; anything else keeps only the first step. */
function decodeMarks(text: string): number[] {
  const parts = text === '' ? [] : text.split('~');
  const marks = parts.map(Number);
  const valid = marks.length > 0 && parts.every((p, i) => /^\d{1,13}$/.test(p) && (i === 0 || marks[i]! >= marks[i - 1]!));
  return valid ? marks : [0];
}
