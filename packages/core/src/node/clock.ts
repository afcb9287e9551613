import type { Clock } from './state-machine.ts';

/**
 * The runtime's own timers. In a hidden browser tab these are throttled to about once a
 * second, so a node there should be given a Worker-driven clock instead.
 */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (callback: () => void, ms: number) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
});
