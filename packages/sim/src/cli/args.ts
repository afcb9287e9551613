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

export function parseArgs(argv: readonly string[], cpus: number): FuzzArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const known = ['--seeds', '--from', '--ops', '--clients', '--nodes', '--history', '--check', '--check-budget', '--mutant', '--workers', '--trace-steps'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    if (known.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      values.set(name, value);
    } else if (name === '--list-mutants' || name === '--keep-going' || name === '--help' || name === '-h') {
      flags.add(name);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  const int = (name: string, fallback: number, min: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${raw}`);
    return n;
  };
  const seeds = int('--seeds', 100, 1);
  if (values.has('--check-budget') && !values.has('--check')) throw new UsageError('--check-budget needs --check FILE');
  return {
    seeds,
    from: int('--from', 0, 0),
    ops: int('--ops', 300, 1),
    clients: int('--clients', 6, 1),
    nodes: values.has('--nodes') ? int('--nodes', 3, 1) : undefined,
    history: values.get('--history'),
    check: values.get('--check'),
    checkBudget: values.has('--check-budget') ? int('--check-budget', 1, 1) : undefined,
    mutant: values.get('--mutant'),
    listMutants: flags.has('--list-mutants'),
    workers: Math.min(int('--workers', cpus, 1), seeds),
    traceSteps: int('--trace-steps', 60, 1),
    keepGoing: flags.has('--keep-going'),
    help: flags.has('--help') || flags.has('-h'),
  };
}
