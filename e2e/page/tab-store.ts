/**
 * The tab store's e2e page (`/tabs?store=NAME`): one `createTabStore` per tab, with no ids or
 * members, over a key-value reducer, and `window.tabs` for the tests. Client operations go
 * through the page's KvClient (client.ts), so histories have the format of the other tests:
 * the call of a write reaches the test runner before the write is dispatched.
 */
import { createTabStore, withResult, type TabStore, type TabStoreStatus } from '@webraft/store';
import type { KvInput } from '@webraft/sim';
import { KvClient, Workload, type WorkloadOptions } from './client.ts';
import type { Request } from './protocol.ts';

type Kv = Readonly<Record<string, string>>;
type KvCommand = { readonly op: 'put'; readonly key: string; readonly value: string } | { readonly op: 'cas'; readonly key: string; readonly value: string; readonly expected: string | null };

function applyKv(state: Kv, command: KvCommand) {
  const current = state[command.key] ?? null;
  if (command.op === 'cas' && current !== command.expected) return withResult(state, { applied: false });
  return withResult({ ...state, [command.key]: command.value }, { applied: true });
}

declare global {
  interface Window {
    tabs: ReturnType<typeof makeApi>;
  }
}

const params = new URLSearchParams(location.search);
const incarnation = Math.random().toString(36).slice(2, 7);
let batch: [string, unknown][] = [];
const report = async (kind: string, data: unknown): Promise<void> => {
  const item: [string, unknown] = [kind, { node: incarnation, tab: incarnation, ...(data as object) }];
  if (kind === 'call' && (data as { input: KvInput }).input.op !== 'get') await window.e2eReport?.([item]);
  else batch.push(item);
};
const flush = () => {
  if (batch.length === 0) return;
  void window.e2eReport?.(batch);
  batch = [];
};
setInterval(flush, 200);
addEventListener('pagehide', flush);

const store: Promise<TabStore<Kv, KvCommand, { applied: boolean }>> = createTabStore({
  name: params.get('store') ?? 'e2e-tabs',
  initialState: {} as Kv,
  apply: applyKv,
  maxVoters: Number(params.get('voters') ?? 3),
  worker: () => new Worker('/store-worker.js', { type: 'module', name: 'tab store' }),
});
// Reported when what it says changes (the status also changes with every write and applied command).
let described = '';
store.then((s) =>
  s.onStatus((status) => {
    const text = describeStatus(status);
    if (text === described) return;
    described = text;
    void report('event', { time: performance.now(), text });
  }),
);

function describeStatus(status: TabStoreStatus): string {
  return `${status.role} slots [${status.slots.join(',')}] leader ${status.leader || 'none'} in term ${status.term}${status.connected ? '' : ' (offline)'}`;
}

async function send(request: Request): Promise<unknown> {
  const s = await store;
  if (request.type === 'read') return (await s.read({ timeoutMs: request.timeoutMs }))[request.key] ?? null;
  if (request.type !== 'propose') throw new TypeError(`the tab store page does not serve ${request.type}`);
  const { input } = request.command as { input: KvInput };
  const command: KvCommand = input.op === 'cas' ? { op: 'cas', key: input.key, value: input.value!, expected: input.expected ?? null } : { op: 'put', key: input.key, value: input.value! };
  return s.dispatch(command, { timeoutMs: request.timeoutMs });
}

let manual = 0;
let workload: Workload | undefined;

function makeApi() {
  return {
    incarnation: () => incarnation,
    clock: () => performance.now(),
    ready: async () => (await store).status(),
    status: async () => (await store).status(),
    flush,
    visibility: () => document.visibilityState,
    op: (input: KvInput, timeoutMs = 5000) => new KvClient(`${incarnation}.m${manual++}`, send, report).run(input, timeoutMs),
    startWorkload(options: WorkloadOptions) {
      workload ??= new Workload(new KvClient(`${incarnation}.w`, send, report), options);
      workload.start();
    },
    stopWorkload: () => workload?.stop(),
    /** Puts `count` distinct keys `prefix0…`, at most `parallel` at a time; returns how many were acknowledged. */
    async writeKeys(prefix: string, count: number, parallel = 8, timeoutMs = 5000): Promise<number> {
      const writer = new KvClient(`${incarnation}.s${manual++}`, send, report);
      let next = 0;
      let acked = 0;
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < count) {
          const key = `${prefix}${next++}`;
          const op = await writer.run({ op: 'put', key, value: key }, timeoutMs);
          if (op.type === 'ok') acked++;
        }
      }));
      return acked;
    },
    /** One put straight through the store, outside the history: its result, or the error's name and message. */
    put: async (key: string, value: string) => (await store).dispatch({ op: 'put', key, value }).then((r) => ({ ok: r }), (e: Error) => ({ error: `${e.name}: ${e.message}` })),
    /** The whole state through a linearizable read. */
    readAll: async (timeoutMs = 10_000) => (await store).read({ timeoutMs }),
    state: async () => (await store).getState(),
  };
}

window.tabs = makeApi();
