// A Worker whose Durable Object (`LogBench`) measures appends to `@webraft/log-durable-object`
// on its own storage, for bench/cases/durable-object.ts:
//   GET /run?side=store|floor&bytes=B&total=N&inflight=K&run=R
//     store: N writes through a DurableObjectLogStore (prefix `run{R}:`), one LogWrite per
//            entry with the hard state, K in flight; each latency from `write()` to its
//            resolution (committed and synced);
//     floor: the same entries as plain `storage.put` of one value each followed by
//            `storage.sync()`, one at a time (K is ignored).
//   Answers {seconds, latenciesUs}. Time in a Durable Object advances with its I/O, which
//   storage calls are.
import { durableObjectLogStore, type DurableObjectStorageLike } from '../../packages/log-durable-object/src/index.ts';

interface Env {
  readonly BENCH: { idFromName(name: string): unknown; get(id: unknown): { fetch(request: Request): Promise<Response> } };
}

interface Storage extends DurableObjectStorageLike {
  put(key: string, value: unknown): Promise<void>;
  sync(): Promise<void>;
}

export class LogBench {
  constructor(private readonly state: { readonly storage: Storage }) {}

  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const count = (name: string): number => Number(params.get(name));
    const data = new Uint8Array(count('bytes')).fill(7);
    const latenciesUs: number[] = [];
    const started = performance.now();
    if (params.get('side') === 'floor') await this.#floor(data, count('total'), count('run'), latenciesUs);
    else await this.#store(data, count('total'), count('inflight'), count('run'), latenciesUs);
    return Response.json({ seconds: (performance.now() - started) / 1000, latenciesUs });
  }

  async #store(data: Uint8Array, total: number, inflight: number, run: number, latenciesUs: number[]): Promise<void> {
    const store = durableObjectLogStore(this.state.storage, { prefix: `run${run}:` });
    await store.load();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const index = ++next;
        const at = performance.now();
        await store.write({ entries: [{ index, term: 1, type: 'normal', data }], hardState: { term: 1, vote: 'n1', commit: index - 1 } });
        latenciesUs.push((performance.now() - at) * 1000);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inflight, total) }, worker));
    await store.close();
  }

  async #floor(data: Uint8Array, total: number, run: number, latenciesUs: number[]): Promise<void> {
    for (let index = 1; index <= total; index++) {
      const at = performance.now();
      await this.state.storage.put(`floor${run}:${index}`, { t: 1, y: 0, d: data });
      await this.state.storage.sync();
      latenciesUs.push((performance.now() - at) * 1000);
    }
  }
}

export default {
  fetch: (request: Request, env: Env): Promise<Response> => env.BENCH.get(env.BENCH.idFromName('bench')).fetch(request),
};
