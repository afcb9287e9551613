/**
 * A client history recorded by the runner: each operation's call and return are taken on the
 * runner's monotonic clock around the `page.evaluate` that performs it, so the interval covers
 * the operation's real one (wider never invents a violation) and every tab shares one clock.
 * The format is DESIGN.md's; `check()` runs `@webraft/sim`'s linearizability checker.
 */
import { checkLinearizable, historyToJson, isCasMiss, type HistoryOp, type KvInput, type LinearizabilityResult, type OpOutput } from '@webraft/sim';

export interface RecordOptions {
  /** An error that proves the operation was not applied (e.g. refused before it was proposed). @default none: every error is `info` */
  readonly definitelyFailed?: (error: unknown) => boolean;
}

export class History {
  readonly #ops: HistoryOp[] = [];

  /**
   * Performs `input` as `client` through `perform` (usually a `page.evaluate`) and records it:
   * `ok` with the output `perform` resolved to (a `get`'s value, `null` for a `put`, `true` for
   * a `cas` that applied), `fail` for a `cas` that found another value (`{ applied: false, value }`)
   * or an error `definitelyFailed` accepts, else `info` (the outcome is unknown: it may still apply).
   */
  async record(client: string, input: KvInput, perform: () => Promise<OpOutput>, options: RecordOptions = {}): Promise<HistoryOp> {
    const call = performance.now();
    let op: HistoryOp;
    try {
      const output = await perform();
      op = { client, input, output, call, return: performance.now(), type: isCasMiss(output) ? 'fail' : 'ok' };
    } catch (error) {
      const type = options.definitelyFailed?.(error) === true ? 'fail' : 'info';
      op = { client, input, output: null, call, return: performance.now(), type };
    }
    this.#ops.push(op);
    return op;
  }

  ops(): readonly HistoryOp[] {
    return this.#ops;
  }

  check(): LinearizabilityResult {
    return checkLinearizable(this.#ops);
  }

  toJson(): string {
    return historyToJson(this.#ops);
  }
}
