// A disk that fails: typed errors, nothing of a failed write counts, and the store refuses
// further writes until it is reopened (so no later write can land after a lost one).
import { expect, it } from 'vitest';
import { DiskFullError, fileLogStore, StoreFailedError, WriteFailedError } from '../src/index.ts';
import { FaultFileSystem } from './fault-fs.ts';
import { entries, snapshot } from './helpers.ts';

function openOn(disk: FaultFileSystem) {
  return fileLogStore({ dir: '/var/log-a', segmentBytes: 4096, fileSystem: disk, lockHost: disk.lockHost });
}

it.each([
  ['write', 'ENOSPC', DiskFullError, 'quota'],
  ['fdatasync', 'EIO', WriteFailedError, 'aborted'],
  ['create', 'EDQUOT', DiskFullError, 'quota'],
] as const)('%s failing with %s rejects with %s, refuses later writes and loses nothing durable', async (op, code, type, errorCode) => {
  const disk = new FaultFileSystem();
  const store = openOn(disk);
  await store.load();
  await store.write({ entries: entries(1, 3, 1), hardState: { term: 1, vote: 'a', commit: 1 } });
  let failing = true;
  // `create` fails the next rotation, which a snapshot write starts by creating its file.
  disk.fault = (name) => (failing && name === op ? code : undefined);
  const big = { entries: entries(4, 60, 1, 200), saveSnapshot: snapshot(3, 1) };
  const failed = store.write(big);
  const sameGroup = store.write({ entries: entries(61, 61, 1) });
  await new Promise((resolve) => setImmediate(resolve));
  // Issued while the failing group is being written: it waits in the queue.
  const queued = store.write({ entries: entries(62, 62, 1) });
  const error = await failed.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject({ code: errorCode, dir: '/var/log-a' });
  await expect(sameGroup).rejects.toBe(error);
  await expect(queued).rejects.toBeInstanceOf(StoreFailedError);
  failing = false;
  await expect(store.write({ entries: entries(4, 4, 1) })).rejects.toBeInstanceOf(StoreFailedError);
  await store.close();

  const reopened = openOn(disk);
  const state = await reopened.load();
  expect(state.entries).toEqual(entries(1, 3, 1));
  expect(state.snapshot).toBeUndefined();
  await reopened.write(big);
  expect(await reopened.entries(1, 100)).toHaveLength(60);
  await reopened.close();
});

it('a write of a store not yet loaded, or closed, rejects with code closed', async () => {
  const disk = new FaultFileSystem();
  const store = openOn(disk);
  await expect(store.write({ entries: entries(1, 1, 1) })).rejects.toMatchObject({ name: 'StoreClosedError', code: 'closed' });
  await store.load();
  await store.close();
  await expect(store.load()).rejects.toMatchObject({ code: 'closed' });
  await expect(store.entries(1, 2)).rejects.toMatchObject({ code: 'closed' });
});

it('a batch breaking a LogStore rule is refused with its typed error and the store stays usable', async () => {
  const disk = new FaultFileSystem();
  const store = openOn(disk);
  await store.load();
  await store.write({ entries: entries(1, 2, 1) });
  await expect(store.write({ entries: entries(4, 4, 1) })).rejects.toMatchObject({ code: 'hole' });
  await expect(store.write({ compactTo: 1 })).rejects.toMatchObject({ code: 'compaction' });
  await expect(store.write({ entries: [{ index: 3, term: 1, type: 'bogus' as 'normal', data: new Uint8Array(1) }] })).rejects.toMatchObject({ code: 'invalid' });
  await store.write({ entries: entries(3, 3, 1) });
  expect(await store.entries(1, 10)).toEqual(entries(1, 3, 1));
  await store.close();
});
