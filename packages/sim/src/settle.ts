/**
 * How a simulation lets the Promises its nodes chained on a step settle before the next step:
 * a macrotask hop, after which every microtask queued before it has run.
 */
export function defaultSettle(): () => Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return () => new Promise((resolve) => immediate(resolve));
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(0);
    });
}
