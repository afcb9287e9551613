/**
 * The e2e test page: one Raft node per tab, run in a Worker exactly as the playground's live
 * mode does, configured by URL (`?node=a&members=a,b,c&transport=relay&relay=ws://…&cluster=x
 * &mutant=…`), with `window.e2e` for the tests. Events and client operations are also pushed
 * to the test runner through `window.e2eReport` (exposed by Playwright) as they happen, so
 * they survive a crashed tab. Faults between tabs come from `@webraft/playwright`'s hooks, with
 * the node id as the tab's id.
 */
import type { Message } from '@webraft/core';
import { installTestHooks } from '@webraft/playwright/page';
import type { KvInput } from '@webraft/sim';
import { bridgeCodec } from './bridge.ts';
import { KvClient, now, RequestFailed, Workload, type WorkloadOptions } from './client.ts';
import type { LogEvent, NodeConfig, NodeReport, PageToWorker, Request, TransportKind, WorkerToPage } from './protocol.ts';

declare global {
  interface Window {
    e2eReport?: (items: [string, unknown][]) => Promise<void>;
    e2e: ReturnType<typeof makeApi>;
  }
}

const params = new URLSearchParams(location.search);
const id = params.get('node') ?? 'a';
const members = (params.get('members') ?? '').split(',').filter((m) => m !== '');
const mutant = params.get('mutant');
const config: NodeConfig = {
  id,
  members,
  transport: (params.get('transport') ?? 'broadcast') as TransportKind,
  relayUrl: params.get('relay') ?? '',
  cluster: params.get('cluster') ?? 'e2e',
  ...(mutant === null ? {} : { mutant }),
};
document.title = `node ${id}`;
// Before the Worker starts: it gets this tab's faults on its port, ahead of the node's messages.
const hooks = installTestHooks({ tab: id });

// A page-level incarnation keeps clients of a reopened tab apart from the ones before it.
const incarnation = Math.random().toString(36).slice(2, 7);
// Reports cross to the test runner in batches, which keeps the binding cheap with many tabs.
// Only the call of a write goes at once, and the write waits until the runner has it: a tab
// that dies must not take with it the record of a write that may still apply.
let batch: [string, unknown][] = [];
const report = async (kind: string, data: unknown): Promise<void> => {
  const item: [string, unknown] = [kind, { node: id, tab: incarnation, ...(data as object) }];
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
const events: LogEvent[] = [];
let status: NodeReport | undefined;
let nextReq = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
// A mutant's worker is the same code built with the broken core compiled in (see the server).
const workerUrl = mutant === null ? new URL('./worker.js', import.meta.url) : new URL(`./mutant/${encodeURIComponent(mutant)}/worker.js`, import.meta.url);
const worker = new Worker(workerUrl, { type: 'module', name: `raft-${id}` });
const post = (message: PageToWorker) => worker.postMessage(message);
let sendRtc: ((message: Message) => void) | undefined;
let rtcPeers = (): readonly string[] => [];

const started = new Promise<{ lastIndex: number; commit: number; term: number }>((resolve, reject) => {
  worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
    const m = e.data;
    switch (m.type) {
      case 'ready':
        return resolve(m.recovered);
      case 'failed':
        logEvent({ time: now(), text: `worker failed: ${m.error}` });
        return reject(new Error(m.error));
      case 'report':
        status = m.report;
        return;
      case 'event':
        // The worker's clock starts elsewhere: move its times onto this page's clock.
        return logEvent({ ...m.event, time: m.event.time - performance.timeOrigin });
      case 'reply': {
        const p = pending.get(m.req);
        pending.delete(m.req);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(new RequestFailed(m.name, m.message));
        return;
      }
      case 'send':
        return sendRtc?.(bridgeCodec.decodeSync!(m.frame));
    }
  };
  worker.onerror = (e) => reject(new Error(e.message));
});

function logEvent(event: LogEvent): void {
  events.push(event);
  void report('event', event);
}

function request(r: Request): Promise<unknown> {
  const req = nextReq++;
  return new Promise((resolve, reject) => {
    pending.set(req, { resolve, reject });
    post({ type: 'request', req, request: r });
  });
}

async function startRtc(): Promise<void> {
  const { webRTCTransport } = await import('@webraft/transport-ws');
  const direct = webRTCTransport({ nodeId: id, url: config.relayUrl, room: config.cluster });
  const rtc = hooks.transport(direct);
  await rtc.start({ message: (message) => post({ type: 'deliver', frame: bridgeCodec.encodeSync!(message) }) });
  sendRtc = (message) => rtc.send(message);
  rtcPeers = () => direct.directPeers;
}

const client = new KvClient(`${id}.${incarnation}`, request, report);
let manual = 0;
let workload: Workload | undefined;
let hog: ReturnType<typeof setInterval> | undefined;

function makeApi() {
  return {
    ready: () => started,
    incarnation: () => incarnation,
    clock: () => performance.now(),
    status: () => status,
    events: () => events,
    /** Peers reached over an open WebRTC data channel (not through the relay). */
    directPeers: () => rtcPeers(),
    /** One operation by a client of its own (not the workload's), recorded in the history. */
    op: (input: KvInput, timeoutMs = 3000) => new KvClient(`${id}.${incarnation}.m${manual++}`, request, report).run(input, timeoutMs),
    startWorkload: (options: WorkloadOptions) => {
      workload ??= new Workload(client, options);
      workload.start();
    },
    stopWorkload: async () => {
      await workload?.stop();
      flush();
      return workload?.ops ?? 0;
    },
    /** Sends the reports still batched here to the test runner. */
    flush,
    /**
     * Puts `count` distinct keys `${prefix}0…` one after another (stopping at the first write
     * that is not acknowledged); resolves with the acknowledged keys and values.
     */
    writeStream: async (prefix: string, count: number, timeoutMs = 2000) => {
      const writer = new KvClient(`${id}.${incarnation}.w${manual++}`, request, report);
      const acked: [string, string][] = [];
      for (let i = 0; i < count; i++) {
        const input = { op: 'put', key: `${prefix}${i}`, value: `${writer.client}-${i}` } as const;
        const op = await writer.run(input, timeoutMs);
        if (op.type !== 'ok') break;
        acked.push([input.key, input.value]);
      }
      return acked;
    },
    /** Linearizable reads of `keys`, one after another (recorded in the history). */
    readKeys: async (keys: readonly string[], timeoutMs = 3000) => {
      const reader = new KvClient(`${id}.${incarnation}.r${manual++}`, request, report);
      const values: (string | null | undefined)[] = [];
      for (const key of keys) {
        const op = await reader.run({ op: 'get', key }, timeoutMs);
        values.push(op.type === 'ok' ? (op.output as string | null) : undefined);
      }
      return values;
    },
    addMember: (member: string, timeoutMs = 5000) => request({ type: 'addMember', id: member, timeoutMs }),
    dump: () => request({ type: 'dump' }) as Promise<{ applied: number; digest: string }>,
    /**
     * Starves this page's main thread (busy for `busyMs` of every `periodMs`), so that its
     * timers fire about once a period — what a hidden tab's throttled timers do.
     */
    starveMainThread: (busyMs: number, periodMs: number) => {
      clearInterval(hog);
      hog = setInterval(() => {
        const until = performance.now() + busyMs;
        while (performance.now() < until);
      }, periodMs - busyMs);
    },
    feedMainThread: () => clearInterval(hog),
    /** How many times an `intervalMs` main-thread timer fires per second, measured over about `windowMs`. */
    timerRate: (intervalMs: number, windowMs: number) =>
      new Promise<number>((resolve) => {
        let fired = 0;
        const from = performance.now();
        const t = setInterval(() => fired++, intervalMs);
        setTimeout(() => {
          clearInterval(t);
          resolve((fired * 1000) / (performance.now() - from));
        }, windowMs);
      }),
  };
}

export type E2eApi = ReturnType<typeof makeApi>;

const api = makeApi();
window.e2e = api;
post({ type: 'start', config });
if (config.transport === 'webrtc') void startRtc().catch((error: Error) => logEvent({ time: now(), text: `webrtc failed: ${error.message}` }));
