// A Worker whose Durable Object (`LogWriter`) writes a Raft log with `@webraft/log-durable-object`
// and says which writes were acknowledged, for test/durable-object-log.test.ts:
//   GET /write?batches=N  N writes in rounds of 16 issued together, each two entries and the
//                         hard state (term i for write i); streams "i\n" as write i resolves.
//                         A Durable Object sends nothing while writes are unconfirmed (its
//                         output gate), so a short pause after each round lets the acks out.
//   GET /load             what the store reads back: term, and each entry as [index, term]
import { durableObjectLogStore, type DurableObjectStorageLike } from '../../packages/log-durable-object/src/index.ts';

interface Env {
  readonly LOG: { idFromName(name: string): unknown; get(id: unknown): { fetch(request: Request): Promise<Response> } };
}

export class LogWriter {
  constructor(private readonly state: { readonly storage: DurableObjectStorageLike }) {}

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const store = durableObjectLogStore(this.state.storage);
    const loaded = await store.load();
    if (url.pathname === '/load') {
      await store.close();
      return Response.json({ term: loaded.hardState.term, entries: loaded.entries.map((e) => [e.index, e.term]) });
    }
    const batches = Number(url.searchParams.get('batches'));
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const data = new Uint8Array(512).fill(7);
    void (async () => {
      for (let round = 0; round * 16 < batches; round++) {
        const writes: Promise<void>[] = [];
        for (let i = round * 16 + 1; i <= Math.min(batches, round * 16 + 16); i++) {
          const entries = [2 * i - 1, 2 * i].map((index) => ({ index, term: i, type: 'normal' as const, data }));
          writes.push(store.write({ entries, hardState: { term: i, vote: '', commit: 0 } }).then(() => void writer.write(encoder.encode(`${i}\n`))));
        }
        await Promise.all(writes);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await store.close();
      await writer.close();
    })();
    return new Response(readable);
  }
}

export default {
  fetch: (request: Request, env: Env): Promise<Response> => env.LOG.get(env.LOG.idFromName('writer')).fetch(request),
};
