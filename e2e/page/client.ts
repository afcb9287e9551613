/**
 * The tab's client: key-value operations through this tab's node, each reported to the test
 * runner when it is called and when it returns, so an operation cut short by a crashed tab
 * still appears in the history (as unknown).
 */
import type { HistoryOp, KvInput, KvResult } from '@webraft/sim';
import type { Request } from './protocol.ts';

export type Send = (request: Request) => Promise<unknown>;
/** Resolves once the test runner holds the report (a write's call must be known before it is sent). */
export type Reporter = (kind: 'call' | 'return', data: unknown) => Promise<void>;

/** The page's monotonic clock; the test runner maps it onto its own (see Recorder). */
export const now = (): number => performance.now();

/** Refused before it could take effect; anything else (a timeout, a crash) may still apply. */
const definiteFailures = new Set(['NotLeaderError', 'ProposalRefusedError', 'ProposalDroppedError', 'InvalidArgumentError']);

export class RequestFailed extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export class KvClient {
  #seq = 0;

  constructor(
    readonly client: string,
    private readonly send: Send,
    private readonly report: Reporter,
  ) {}

  /** Runs one operation; resolves with its history record. */
  async run(input: KvInput, timeoutMs: number): Promise<HistoryOp> {
    const seq = ++this.#seq;
    const id = `${this.client}:${seq}`;
    const call = now();
    await this.report('call', { id, client: this.client, input, call });
    let op: HistoryOp;
    try {
      if (input.op === 'get') {
        const value = (await this.send({ type: 'read', key: input.key, timeoutMs })) as string | null;
        op = { client: this.client, input, output: value, call, return: now(), type: 'ok' };
      } else {
        const command = { id, client: this.client, seq, input };
        const result = (await this.send({ type: 'propose', command, timeoutMs })) as KvResult;
        const applied = result.applied;
        op = { client: this.client, input, output: input.op === 'cas' ? applied : null, call, return: now(), type: applied ? 'ok' : 'fail' };
      }
    } catch (error) {
      const e = error as Error;
      const type = definiteFailures.has(e.name) ? 'fail' : 'info';
      op = { client: this.client, input, output: null, call, return: now(), type };
    }
    void this.report('return', { id, op });
    return op;
  }
}

export interface WorkloadOptions {
  readonly keys: number;
  readonly pauseMs: number;
  readonly timeoutMs: number;
}

/** A closed loop: one operation at a time, random get / put / cas over a few keys. */
export class Workload {
  #running = false;
  #done: Promise<void> = Promise.resolve();
  #last = new Map<string, string | null>();
  ops = 0;

  constructor(
    private readonly client: KvClient,
    private readonly options: WorkloadOptions,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#done = this.#loop();
  }

  stop(): Promise<void> {
    this.#running = false;
    return this.#done;
  }

  async #loop(): Promise<void> {
    let n = 0;
    while (this.#running) {
      const key = `k${Math.floor(Math.random() * this.options.keys)}`;
      const value = `${this.client.client}-${n++}`;
      const r = Math.random();
      const input: KvInput =
        r < 0.4 ? { op: 'get', key } : r < 0.8 ? { op: 'put', key, value } : { op: 'cas', key, value, expected: this.#last.get(key) ?? null };
      const op = await this.client.run(input, this.options.timeoutMs);
      this.ops++;
      if (op.type === 'ok') this.#last.set(key, input.op === 'get' ? (op.output as string | null) : (input.value ?? null));
      await new Promise((resolve) => setTimeout(resolve, op.type === 'ok' ? this.options.pauseMs : this.options.pauseMs * 3));
    }
  }
}
