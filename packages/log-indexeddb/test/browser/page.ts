// Entry of the bundle the browser tests load: puts the library and small helpers on
// `window` so each test drives the page with `page.evaluate`.
import * as core from '@webraft/core';
import * as testing from '@webraft/core/testing';
import * as store from '../../src/index.ts';

type Store = store.IndexedDBLogStore;

interface ErrorInfo {
  readonly name: string;
  readonly code?: string;
  readonly reason?: string;
  readonly message: string;
}

function info(error: unknown): ErrorInfo {
  const e = error as { name?: string; code?: string; reason?: string; message?: string };
  return { name: String(e?.name), code: e?.code, reason: e?.reason, message: String(e?.message ?? error) };
}

/**
 * Bytes naming the entry (its index, then pseudo-random bytes seeded by it), so a test can
 * tell a stored entry from a stale or torn one. Random-looking so that IndexedDB's
 * compression does not shrink them (the quota test needs real bytes on disk).
 */
function payload(index: number, bytes = 16): Uint8Array {
  const data = new Uint8Array(bytes);
  new DataView(data.buffer).setFloat64(0, index);
  fillNoise(data, index);
  return data;
}

function fillNoise(data: Uint8Array, seed: number): void {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 8; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
}

function checkPayload(e: core.Entry): boolean {
  if (e.data.byteLength < 8) return false;
  const view = new DataView(e.data.buffer, e.data.byteOffset, e.data.byteLength);
  if (view.getFloat64(0) !== e.index) return false;
  const expected = new Uint8Array(e.data.byteLength);
  fillNoise(expected, e.index);
  for (let i = 8; i < e.data.byteLength; i++) if (e.data[i] !== expected[i]) return false;
  return true;
}

const open = new Map<string, { store: Store; errors: ErrorInfo[] }>();

const helpers = {
  payload,
  checkPayload,
  info,
  /** Opens and loads a store, remembering it (and its error events) under `key`. */
  async open(key: string, options: store.IndexedDBLogStoreOptions) {
    const s = store.indexedDBLogStore(options);
    const errors: ErrorInfo[] = [];
    s.addEventListener('error', (e) => errors.push(info((e as store.StoreErrorEvent).error)));
    open.set(key, { store: s, errors });
    try {
      const state = await s.load();
      return {
        ok: true as const,
        empty: state.empty,
        hardState: state.hardState,
        snapshotIndex: state.snapshot?.meta.index ?? 0,
        first: state.entries[0]?.index ?? 0,
        last: state.entries[state.entries.length - 1]?.index ?? 0,
        count: state.entries.length,
        allValid: state.entries.every(checkPayload),
        contiguous: state.entries.every((e, i) => i === 0 || e.index === state.entries[i - 1]!.index + 1),
        incarnation: s.identity?.incarnation,
        persisted: s.persisted,
      };
    } catch (error) {
      return { ok: false as const, error: info(error) };
    }
  },
  get(key: string) {
    const entry = open.get(key);
    if (!entry) throw new Error(`no store ${key}`);
    return entry;
  },
  /**
   * Appends entries one write each, `inflight` at a time, and tells the test the highest
   * acknowledged index through the `acked` binding (at most every 5 ms, so the bindings do
   * not flood the DevTools connection).
   */
  async stream(key: string, from: number, inflight: number, count = Infinity, bytes = 16) {
    const { store: s } = helpers.get(key);
    const binding = (globalThis as { acked?: (index: number) => void }).acked;
    let highest = 0;
    let reportPending = false;
    const report = (index: number): void => {
      highest = Math.max(highest, index);
      if (!binding || reportPending) return;
      reportPending = true;
      setTimeout(() => {
        reportPending = false;
        binding(highest);
      }, 5);
    };
    let next = from;
    const end = from + count;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const index = next++;
        await s.write({
          entries: [{ index, term: 1, type: 'normal', data: payload(index, bytes) }],
          hardState: { term: 1, vote: 'n1', commit: index - 1 },
        });
        report(index);
      }
    };
    try {
      await Promise.all(Array.from({ length: inflight }, worker));
      return { ok: true as const, next };
    } catch (error) {
      return { ok: false as const, error: info(error), next };
    }
  },
};

/** A replicated list of values: the smallest state machine that shows loss or duplication. */
class ListMachine implements core.StateMachine<{ value: string }, number> {
  values: string[] = [];
  apply(command: { value: string }): number {
    this.values.push(command.value);
    return this.values.length;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.values));
  }
  restore(data: Uint8Array): void {
    this.values = JSON.parse(new TextDecoder().decode(data)) as string[];
  }
}

let node: core.RaftNode<ListMachine> | undefined;

const cluster = {
  /** Starts this tab's member of a cluster of tabs on the IndexedDB store `store-<id>`. */
  async start(id: string, members: string[], clusterId: string) {
    const log = store.indexedDBLogStore({ name: `${clusterId}-${id}`, nodeId: id, clusterId, onLocked: 'wait' });
    const transport = core.broadcastChannelTransport({ channel: clusterId, nodeId: id, clusterId });
    node = await core.RaftNode.create({
      id,
      members,
      stateMachine: new ListMachine(),
      log,
      transport,
      tickMs: 20,
      snapshotEvery: 50,
      snapshotKeepEntries: 10,
    });
    await node.start();
  },
  async propose(values: string[]) {
    const acked: string[] = [];
    const failed: string[] = [];
    await Promise.all(
      values.map((value) =>
        node!.propose({ value }, { timeoutMs: 5000 }).then(
          () => void acked.push(value),
          (error) => void failed.push(`${value}: ${String((error as Error)?.name)}`),
        ),
      ),
    );
    return { acked, failed };
  },
  async leader() {
    return node!.waitForLeader({ timeoutMs: 10_000 });
  },
  /** A linearizable read of the list, retried while an election is under way. */
  async values() {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await node!.waitForLeader({ timeoutMs: 10_000 });
        return await node!.read((sm) => [...sm.values], { timeoutMs: 5_000 });
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  },
};

const lib = { ...store, core, testing, helpers, cluster };
(globalThis as unknown as { lib: typeof lib }).lib = lib;
export type PageLib = typeof lib;
