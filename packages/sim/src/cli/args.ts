import { parseArgs as parseOptions } from 'node:util';

/** Command-line options of the fuzz runner. */
export interface FuzzArgs {
  readonly seeds: number;
  readonly from: number;
  readonly ops: number;
  readonly clients: number;
  readonly nodes: number | undefined;
  readonly history: string | undefined;
  readonly check: string | undefined;
  readonly checkBudget: number | undefined;
  readonly mutant: string | undefined;
  readonly listMutants: boolean;
  readonly workers: number;
  readonly traceSteps: number;
  readonly keepGoing: boolean;
  readonly help: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const usage = `Usage: npm run fuzz -- [options]
  --seeds N          number of seeds to run (default 100)
  --from S           first seed (default 0)
  --ops N            client operations per seed (default 300)
  --clients N        concurrent clients (default 6)
  --nodes N          cluster size (default: 3 or 5, chosen by the seed)
  --mutant NAME      run a deliberately broken core (see --list-mutants)
  --list-mutants     list the broken cores and exit
  --workers K        worker threads (default: number of CPUs, at most the seeds)
  --history FILE     save the client history (of the first failing seed, else of seed S) as JSON
  --check FILE       re-check a saved history for linearizability and exit:
                     0 linearizable, 1 not linearizable, 2 unreadable, 3 undecided
  --check-budget N   placements the --check search tries per key before it answers
                     undecided (default 5000000)
  --trace-steps N    steps shown in a failure trace (default 60)
  --keep-going       report every failing seed instead of stopping at the first
`;

const options = {
  seeds: { type: 'string' },
  from: { type: 'string' },
  ops: { type: 'string' },
  clients: { type: 'string' },
  nodes: { type: 'string' },
  history: { type: 'string' },
  check: { type: 'string' },
  'check-budget': { type: 'string' },
  mutant: { type: 'string' },
  workers: { type: 'string' },
  'trace-steps': { type: 'string' },
  'list-mutants': { type: 'boolean' },
  'keep-going': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** @throws UsageError naming the option that is unknown, lacks its value or has a bad one */
export function parseArgs(argv: readonly string[], cpus: number): FuzzArgs {
  const values = parseValues(argv);
  const int = (name: keyof typeof options, fallback: number, min: number): number => {
    const raw = values[name];
    if (typeof raw !== 'string') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${raw}`);
    return n;
  };
  const seeds = int('seeds', 100, 1);
  if (values['check-budget'] !== undefined && values.check === undefined) throw new UsageError('--check-budget needs --check FILE');
  return {
    seeds,
    from: int('from', 0, 0),
    ops: int('ops', 300, 1),
    clients: int('clients', 6, 1),
    nodes: values.nodes !== undefined ? int('nodes', 3, 1) : undefined,
    history: values.history,
    check: values.check,
    checkBudget: values['check-budget'] !== undefined ? int('check-budget', 1, 1) : undefined,
    mutant: values.mutant,
    listMutants: values['list-mutants'] === true,
    workers: Math.min(int('workers', cpus, 1), seeds),
    traceSteps: int('trace-steps', 60, 1),
    keepGoing: values['keep-going'] === true,
    help: values.help === true,
  };
}

function parseValues(argv: readonly string[]) {
  try {
    return parseOptions({ args: [...argv], options }).values;
  } catch (error) {
    throw new UsageError(usageProblem(error));
  }
}

/** `node:util`'s parse errors in this CLI's words. */
function usageProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (quoted === undefined) return message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && message.endsWith('argument missing')) return `${quoted.split(' ')[0]} needs a value`;
  return message;
}
