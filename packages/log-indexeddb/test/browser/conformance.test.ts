import { logStoreConformance } from '@webraft/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

// The same suite as in Node, run inside Chromium against the real IndexedDB.
const names = logStoreConformance(() => {
  throw new Error('only the names are used here');
}).map((c) => c.name);

describe('IndexedDBLogStore conformance in Chromium', () => {
  let harness: Harness;
  let failures: Map<string, string>;

  beforeAll(async () => {
    harness = await startHarness();
    const page = await harness.newPage();
    const result = await page.evaluate(async () => {
      const { indexedDBLogStore, testing } = globalThis.lib;
      const cases = testing.logStoreConformance((name) => indexedDBLogStore({ name }));
      const { passed, failed } = await testing.runCases(cases);
      return { passed, failed: failed.map((f) => [f.name, String((f.error as Error)?.stack ?? f.error)] as const) };
    });
    failures = new Map(result.failed);
    expect(result.passed.length + result.failed.length).toBe(names.length);
  }, 120_000);

  afterAll(async () => harness?.close());

  for (const name of names) {
    it(name, () => {
      expect(failures.get(name)).toBeUndefined();
    });
  }
});
