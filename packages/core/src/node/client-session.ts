/**
 * An exactly-once client session (Raft thesis §6.3). Each request carries the session's next
 * sequence number; a retry reuses it, so a command whose first attempt timed out is applied
 * at most once and the retry gets the first attempt's result. A session keeps the result of
 * its latest request only: keep one request in flight per session.
 */
import { NotLeaderError, ProposalDroppedError, TimeoutError } from './errors.ts';
import type { AnyStateMachine, CommandOf, RequestOptions, ResultOf } from './options.ts';
import type { RaftNode } from './raft-node.ts';

export interface SessionProposeOptions extends RequestOptions {
  /** Attempts before giving up, all with the same sequence number. @default 3 */
  readonly attempts?: number;
}

export class ClientSession<SM extends AnyStateMachine> {
  readonly #node: RaftNode<SM>;
  /** Stable across nodes: hand it (with `lastSeq`) to `resumeSession` on another node. */
  readonly clientId: string;
  #seq: number;

  constructor(node: RaftNode<SM>, clientId: string, seq: number) {
    this.#node = node;
    this.clientId = clientId;
    this.#seq = seq;
  }

  /** Sequence number of the latest request made through this handle. */
  get lastSeq(): number {
    return this.#seq;
  }

  /**
   * Proposes `command` as the session's next request. After a timeout, a dropped entry or a
   * missing leader it waits for a leader and retries the same request.
   */
  async propose(command: CommandOf<SM>, options: SessionProposeOptions = {}): Promise<ResultOf<SM>> {
    const seq = ++this.#seq;
    const attempts = options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#node.propose(command, { ...options, session: { clientId: this.clientId, seq } });
      } catch (error) {
        const retryable = error instanceof TimeoutError || error instanceof NotLeaderError || error instanceof ProposalDroppedError;
        if (!retryable || attempt >= attempts) throw error;
        if (error instanceof NotLeaderError) await this.#node.waitForLeader(options).catch(() => undefined);
      }
    }
  }
}
