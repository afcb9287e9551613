/**
 * `@webraft/playwright/page`: the fault hooks of a page in a test build. Nothing here runs
 * unless the test build imports it: a production bundle that does not import this module has
 * no hooks, no `window.__webraft` and no way to switch faults on.
 */
import type { FaultState, NodeStatus, PageHooks, TabReport } from '../faults.ts';
import { faultChannel } from './channel.ts';
import { HookContext } from './context.ts';
import { faultTransport } from './transport.ts';
import type { Transport } from '@webraft/core';
import { CONTROL_CHANNEL, hooksMessage, HOOKS_KEY, type PageToWorkerHooks, type WorkerToPageHooks } from './protocol.ts';

export type { FaultState, NodeStatus, PageHooks, TabReport } from '../faults.ts';

export interface TestHooksOptions {
  /** This tab's id for the faults. @default one kept in sessionStorage, so a reload keeps it (its faults too) */
  readonly tab?: string;
  /** The random source of drops and delays. @default Math.random */
  readonly random?: () => number;
  /**
   * Which Workers carry the hooks (their entry imports `@webraft/playwright/worker` first); the
   * others start untouched, their messages never mixed with the hooks'. @default every Worker
   */
  readonly hookWorker?: (url: string | URL, options: WorkerOptions | undefined) => boolean;
}

/** A node the runner can crash and restart (`crash(page)`, `restart(page)`). */
export interface NodeControl {
  /** Stops the node at once, without telling the others (a crash); its durable log stays. */
  stop(): Promise<void> | void;
  /** Starts it again from its durable log. */
  start(): Promise<void> | void;
}

export interface TestHooks {
  readonly tab: string;
  readonly context: HookContext;
  /** Where the runner reads this tab's role, term and commit (`statuses`, `waitForLeader`). */
  watch(source: () => NodeStatus | undefined): void;
  /** The node `crash(page)` and `restart(page)` stop and start. */
  control(node: NodeControl): void;
  /** Faults on a transport whose messages name nodes (relay, WebRTC); BroadcastChannels need nothing. */
  transport(inner: Transport): Transport;
}

/** `crash(page)` or `restart(page)` on a page that registered no node with `control`. */
export class NoNodeControlError extends Error {
  override readonly name = 'NoNodeControlError';
  constructor(action: string) {
    super(`this page registered no node to ${action} (call control({ stop, start }) on its test hooks)`);
  }
}

let installed: TestHooks | undefined;

const TAB_KEY = 'webraft.test.tab';
const FAULTS_KEY = 'webraft.test.faults';

function tabId(given: string | undefined): string {
  if (given !== undefined) return given;
  const kept = sessionStorage.getItem(TAB_KEY);
  if (kept !== null) return kept;
  const made = Math.random().toString(36).slice(2, 8);
  sessionStorage.setItem(TAB_KEY, made);
  return made;
}

function kept(): unknown {
  try {
    return JSON.parse(sessionStorage.getItem(FAULTS_KEY) ?? 'null');
  } catch {
    return null;
  }
}

/**
 * Installs the hooks in this page (once; later calls return the same hooks): every
 * BroadcastChannel opened from now on, here and in Workers started from now on (which must
 * import `@webraft/playwright/worker` first), goes through the faults the runner sets, and
 * `window.__webraft` answers the runner.
 */
export function installTestHooks(options: TestHooksOptions = {}): TestHooks {
  if (installed !== undefined) return installed;
  const context = new HookContext(tabId(options.tab), options.random);
  const NativeChannel = globalThis.BroadcastChannel;
  const NativeWorker = globalThis.Worker;
  const workers = new Map<Worker, { adopted: number; nodes: readonly string[]; counters: { delivered: number; dropped: number; delayed: number } }>();
  const control = new NativeChannel(CONTROL_CHANNEL);
  let source: (() => NodeStatus | undefined) | undefined;
  let node: NodeControl | undefined;

  const toWorker = (worker: Worker, message: PageToWorkerHooks) => worker.postMessage({ [HOOKS_KEY]: message });
  // A reloaded tab keeps its faults from its first instant, before any Worker starts.
  context.adopt(kept());
  context.onAdopt = (state) => {
    sessionStorage.setItem(FAULTS_KEY, JSON.stringify(state));
    for (const worker of workers.keys()) toWorker(worker, { kind: 'state', state });
  };
  control.onmessage = (event: MessageEvent) => {
    const m = event.data as { kind?: unknown; state?: unknown } | null;
    if (m?.kind === 'state') context.adopt(m.state);
    else if (m?.kind === 'ask' && context.state.version > 0) control.postMessage({ kind: 'state', state: context.state });
  };
  control.postMessage({ kind: 'ask' });

  class HookedWorker extends NativeWorker {
    constructor(url: string | URL, workerOptions?: WorkerOptions) {
      super(url, workerOptions);
      if (options.hookWorker?.(url, workerOptions) === false) return;
      const entry = { adopted: 0, nodes: [] as readonly string[], counters: { delivered: 0, dropped: 0, delayed: 0 } };
      workers.set(this, entry);
      // Registered before the page's own listeners, so the hooks' messages stop here.
      this.addEventListener('message', (event) => {
        const m = hooksMessage(event.data) as WorkerToPageHooks | undefined;
        if (m === undefined) return;
        event.stopImmediatePropagation();
        if (m.kind === 'adopted') entry.adopted = Math.max(entry.adopted, m.version);
        else if (m.kind === 'nodes') entry.nodes = m.nodes;
        else if (m.kind === 'counters') entry.counters = { delivered: m.delivered, dropped: m.dropped, delayed: m.delayed };
      });
      toWorker(this, { kind: 'init', tab: context.tab, state: context.state });
    }

    override terminate(): void {
      workers.delete(this);
      super.terminate();
    }
  }

  const hooks: PageHooks = {
    tab: context.tab,
    report(): TabReport {
      const all = [context.counters, ...[...workers.values()].map((w) => w.counters)];
      const sum = (key: 'delivered' | 'dropped' | 'delayed') => all.reduce((n, c) => n + c[key], 0);
      return {
        tab: context.tab,
        nodes: [...new Set([...context.ownNodes, ...[...workers.values()].flatMap((w) => w.nodes)])],
        visibility: document.visibilityState,
        faults: Math.min(context.state.version, ...[...workers.values()].map((w) => w.adopted)),
        counters: { delivered: sum('delivered'), dropped: sum('dropped'), delayed: sum('delayed') },
        status: source?.(),
        controllable: node !== undefined,
      };
    },
    setFaults(state: FaultState): void {
      if (context.adopt(state)) control.postMessage({ kind: 'state', state });
    },
    async crash(): Promise<void> {
      if (node === undefined) throw new NoNodeControlError('crash');
      await node.stop();
    },
    async restart(): Promise<void> {
      if (node === undefined) throw new NoNodeControlError('restart');
      await node.start();
    },
  };

  Object.assign(globalThis, { BroadcastChannel: faultChannel(NativeChannel, context), Worker: HookedWorker });
  window.__webraft = hooks;
  installed = {
    tab: context.tab,
    context,
    watch: (s) => void (source = s),
    control: (n) => void (node = n),
    transport: (inner) => faultTransport(inner, context),
  };
  return installed;
}
