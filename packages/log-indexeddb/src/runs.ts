import type { Entry } from '@webraft/core';

/**
 * Where the stored runs stand, as of the last transaction issued: their keys in order, and
 * the last index of the log they hold. Kept in memory so a write knows which records to
 * delete without reading them.
 */
export interface RunIndex {
  /** First index of every stored run, ascending. */
  keys: number[];
  /** Last index of the stored log (the floor when no entry is stored). */
  last: number;
}

/** Position of the last key ≤ `index`, or -1. */
export function runContaining(keys: readonly number[], index: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! <= index) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Appends `run` (entries starting at `first`) to `log`, dropping what it overrides. */
export function overlay(log: Entry[], first: number, run: readonly Entry[]): void {
  const start = log[0]?.index;
  if (start !== undefined && first <= start + log.length - 1) log.length = Math.max(0, first - start);
  for (const e of run) log.push(e);
}
