import { expect, it } from 'vitest';
import { durableVoterRestart } from './durable-voter.ts';
import { FakeStorage } from './fake-storage.ts';

it('a RaftNode voter on Durable Object storage survives a restart with its log and snapshot, and carries a quorum', async () => {
  const storage = new FakeStorage();
  const report = await durableVoterRestart(storage);
  expect(report.total).toBe(630);
  expect(report.restoredFirstIndex).toBeGreaterThan(1);
  expect(report.restoredLastIndex).toBeGreaterThanOrEqual(20);
  expect(storage.largestValue).toBeLessThanOrEqual(128 * 1024);
  expect([...storage.data.keys()].some((key) => key.startsWith('voter:s:'))).toBe(true);
}, 60_000);
