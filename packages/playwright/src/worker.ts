/**
 * `@webraft/playwright/worker`: the fault hooks of a Worker in a test build. Import it first in
 * the Worker's entry (before the code that opens BroadcastChannels): the Worker's channels then
 * go through the faults of the tab that started it, which the page's hooks hand over on the
 * Worker's own port, ahead of the page's messages. A Worker started by a page without hooks is
 * never told a tab or a fault, so it judges nothing (every message is delivered).
 */
import type { Transport } from '@webraft/core';
import { faultChannel } from './page/channel.ts';
import { HookContext } from './page/context.ts';
import { hooksMessage, HOOKS_KEY, type PageToWorkerHooks, type WorkerToPageHooks } from './page/protocol.ts';
import { faultTransport as wrap } from './page/transport.ts';

/** The part of a dedicated Worker's global scope the hooks use. */
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const context = new HookContext('');

// Only inside a Worker: imported anywhere else (a page, Node) it changes nothing.
if ('WorkerGlobalScope' in globalThis && typeof scope.addEventListener === 'function') install();

function install(): void {
  const toPage = (message: WorkerToPageHooks) => scope.postMessage({ [HOOKS_KEY]: message });
  let told = false;
  context.onAdopt = (state) => toPage({ kind: 'adopted', version: state.version });
  context.onNodes = (nodes) => toPage({ kind: 'nodes', nodes });
  // Registered before the Worker's own code runs, so the hooks' messages stop here.
  scope.addEventListener('message', (event) => {
    const m = hooksMessage(event.data) as PageToWorkerHooks | undefined;
    if (m === undefined) return;
    event.stopImmediatePropagation();
    if (m.kind === 'init') {
      told = true;
      context.tab = m.tab;
      toPage({ kind: 'adopted', version: m.state.version });
    }
    context.adopt(m.state);
  });
  setInterval(() => {
    if (told) toPage({ kind: 'counters', ...context.counters });
  }, 500);
  Object.assign(globalThis, { BroadcastChannel: faultChannel(globalThis.BroadcastChannel, context) });
}

/** Faults on a node-addressed transport (relay, WebRTC) that runs in this Worker. */
export function faultTransport(inner: Transport): Transport {
  return wrap(inner, context);
}
