import { describe, expect, it } from 'vitest';
import type { LogStore, LogWrite } from '../../src/storage/log-store.ts';
import { WriteQueue } from '../../src/node/write-queue.ts';
import { settle } from './fake-clock.ts';

/** A store whose writes resolve only when the test says so, in any order. */
function manualStore() {
  const pending: { batch: LogWrite; resolve: () => void; reject: (e: Error) => void }[] = [];
  const store: LogStore = {
    load: () => Promise.reject(new Error('unused')),
    entries: () => Promise.resolve([]),
    close: () => Promise.resolve(),
    write: (batch) => new Promise<void>((resolve, reject) => pending.push({ batch, resolve, reject })),
  };
  return { store, pending };
}

describe('WriteQueue', () => {
  it('runs follow-ups in write order even when the store resolves out of order', async () => {
    const { store, pending } = manualStore();
    const ran: string[] = [];
    const queue = new WriteQueue(store, () => ran.push('failed'));
    queue.push({ compactTo: 1 }, () => ran.push('w1'));
    queue.push(undefined, () => ran.push('none'));
    queue.push({ compactTo: 2 }, () => ran.push('w2'));
    expect(pending).toHaveLength(2);
    pending[1]!.resolve();
    await settle();
    expect(ran).toEqual([]);
    pending[0]!.resolve();
    await settle();
    expect(ran).toEqual(['w1', 'none', 'w2']);
    queue.push(undefined, () => ran.push('sync'));
    expect(ran.at(-1)).toBe('sync');
  });

  it('never runs a follow-up after a failed write, and reports the failure once', async () => {
    const { store, pending } = manualStore();
    const ran: string[] = [];
    const queue = new WriteQueue(store, (error) => ran.push(`failed: ${(error as Error).message}`));
    queue.push({ compactTo: 1 }, () => ran.push('w1'));
    queue.push({ compactTo: 2 }, () => ran.push('w2'));
    pending[0]!.reject(new Error('quota'));
    pending[1]!.reject(new Error('closed'));
    await settle();
    expect(ran).toEqual(['failed: quota']);
    queue.push(undefined, () => ran.push('later'));
    expect(ran).toEqual(['failed: quota']);
    await queue.settled();
  });
});
