/**
 * `npm run fuzz -- --check FILE [--check-budget N]`: re-checks a saved history. The exit code
 * tells the three answers apart, and a file that cannot be read as a history from the others.
 */
import { readFileSync } from 'node:fs';
import { historyFromJson, HistoryFormatError, type HistoryOp } from '../history.ts';
import { checkLinearizable } from '../linearizability.ts';

export const checkExit = { linearizable: 0, violated: 1, badInput: 2, undecided: 3 } as const;

export interface CheckStreams {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const describe = (op: HistoryOp | undefined): string => JSON.stringify(op ?? null);

export function checkHistoryFile(file: string, maxSteps: number | undefined, streams: CheckStreams): number {
  let history: HistoryOp[];
  try {
    history = historyFromJson(readFileSync(file, 'utf8'));
  } catch (error) {
    if (!(error instanceof HistoryFormatError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    streams.err(`${file}: ${(error as Error).message}\n`);
    return checkExit.badInput;
  }
  const started = performance.now();
  const result = checkLinearizable(history, maxSteps === undefined ? {} : { maxSteps });
  const took = `${result.steps} steps, ${Math.round(performance.now() - started)} ms`;
  if (result.ok) {
    streams.out(`${file}: linearizable (${result.ops} operations on ${result.keys} keys; ${took})\n`);
    return checkExit.linearizable;
  }
  const placed = result.longestPrefix.slice(-5).map((op) => `    ${describe(op)}\n`).join('');
  const context = `  cannot place: ${describe(result.stuck)}\n  after (last of ${result.longestPrefix.length} placed):\n${placed}`;
  if (result.verdict === 'violated') {
    streams.out(`${file}: NOT linearizable on key ${result.key} (${took})\n${context}`);
    return checkExit.violated;
  }
  streams.out(`${file}: UNDECIDED: ${result.reason}; raise --check-budget to search further (${took})\n${context}`);
  return checkExit.undecided;
}
