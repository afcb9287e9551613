/**
 * The Web Locks API for tests in Node: one lock manager shared by many "tabs" (clients), with
 * FIFO queues, `ifAvailable`, `signal` and `query()`, as browsers implement them.
 */
interface Waiter {
  readonly client: number;
  readonly grant: () => void;
}

export class FakeLockManager {
  readonly #held = new Map<string, number>();
  readonly #queues = new Map<string, Waiter[]>();
  #nextClient = 1;

  /** A LockManager for one tab. */
  client(): LockManager {
    const client = this.#nextClient++;
    const manager = {
      request: (name: string, options: LockOptions | LockGrantedCallback<unknown>, callback?: LockGrantedCallback<unknown>) => {
        const cb = (typeof options === 'function' ? options : callback)!;
        const opts = typeof options === 'function' ? {} : options;
        return this.#request(client, name, opts, cb);
      },
      query: async () => ({
        held: [...this.#held].map(([name, holder]) => ({ name, mode: 'exclusive' as const, clientId: String(holder) })),
        pending: [...this.#queues].flatMap(([name, queue]) => queue.map((w) => ({ name, mode: 'exclusive' as const, clientId: String(w.client) }))),
      }),
    };
    return manager as unknown as LockManager;
  }

  #request(client: number, name: string, options: LockOptions, callback: LockGrantedCallback<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const run = () => {
        this.#held.set(name, client);
        Promise.resolve()
          .then(() => callback({ name, mode: 'exclusive' } as Lock))
          .then(
            (value) => {
              this.#release(name);
              resolve(value);
            },
            (error: unknown) => {
              this.#release(name);
              reject(error);
            },
          );
      };
      const busy = this.#held.has(name) || (this.#queues.get(name)?.length ?? 0) > 0;
      if (!busy) {
        run();
        return;
      }
      if (options.ifAvailable === true) {
        Promise.resolve().then(() => callback(null)).then(resolve, reject);
        return;
      }
      const queue = this.#queues.get(name) ?? [];
      this.#queues.set(name, queue);
      const waiter: Waiter = { client, grant: run };
      queue.push(waiter);
      options.signal?.addEventListener('abort', () => {
        const at = queue.indexOf(waiter);
        if (at < 0) return;
        queue.splice(at, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }

  #release(name: string): void {
    this.#held.delete(name);
    const next = this.#queues.get(name)?.shift();
    if (next !== undefined) next.grant();
  }
}
