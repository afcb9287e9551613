/** What the hooks of a page and of its Workers tell each other, beside the page's own messages. */
import type { FaultState } from '../faults.ts';

/** Marks a message between a page and its Worker as the hooks' own: the page's code never sees it. */
export const HOOKS_KEY = '__webraftHooks';

export type PageToWorkerHooks =
  | { readonly kind: 'init'; readonly tab: string; readonly state: FaultState }
  | { readonly kind: 'state'; readonly state: FaultState };

export type WorkerToPageHooks =
  | { readonly kind: 'adopted'; readonly version: number }
  | { readonly kind: 'nodes'; readonly nodes: readonly string[] }
  | { readonly kind: 'counters'; readonly delivered: number; readonly dropped: number; readonly delayed: number };

export function hooksMessage(data: unknown): unknown {
  return typeof data === 'object' && data !== null && HOOKS_KEY in data ? (data as Record<string, unknown>)[HOOKS_KEY] : undefined;
}

/** The channel on which the pages of one origin hand the newest fault state to pages opened later. */
export const CONTROL_CHANNEL = 'webraft-test-hooks';
