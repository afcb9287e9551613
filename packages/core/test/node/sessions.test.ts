import { describe, expect, it } from 'vitest';
import { jsonCodec } from '../../src/node/codecs.ts';
import { SessionTable } from '../../src/node/sessions.ts';
import { SnapshotImageError, unwrapSnapshot, wrapSnapshot } from '../../src/node/snapshot-image.ts';

describe('session table (thesis §6.3)', () => {
  it('applies new requests, replays the latest one, refuses older and unknown ones', () => {
    const table = new SessionTable(100, jsonCodec());
    const id = table.register(10);
    expect(id).toBe('10');
    expect(table.check(id, 1)).toEqual({ kind: 'apply' });
    table.record(id, 1, { ok: true, value: 'first' }, 11);
    expect(table.check(id, 1)).toEqual({ kind: 'duplicate', outcome: { ok: true, value: 'first' } });
    table.record(id, 2, { ok: false, error: 'Error: boom' }, 12);
    expect(table.check(id, 1)).toEqual({ kind: 'stale', latest: 2 });
    expect(table.check('99', 1)).toEqual({ kind: 'expired' });
  });

  it('expires sessions by log index, identically for every node', () => {
    const run = (): string[] => {
      const table = new SessionTable(16, jsonCodec());
      table.register(1);
      table.register(30);
      const alive: string[] = [];
      for (let index = 21; index <= 40; index++) {
        table.onApplied(index);
        alive.push(`${index}:${table.check('1', 1).kind}/${table.check('30', 1).kind}`);
      }
      return alive;
    };
    const first = run();
    expect(first).toEqual(run());
    expect(first.at(-1)).toBe('40:expired/apply');
    expect(first[0]).toBe('21:apply/apply');
  });

  it('travels inside snapshots with the user bytes', () => {
    const table = new SessionTable(100, jsonCodec());
    table.register(3);
    table.record('3', 4, { ok: true, value: { n: 1 } }, 9);
    table.register(5);
    table.record('5', 1, { ok: false, error: 'Error: no' }, 10);
    const image = wrapSnapshot(new Uint8Array([7, 7]), table);
    const restored = new SessionTable(100, jsonCodec());
    expect([...unwrapSnapshot(image, restored)]).toEqual([7, 7]);
    expect(restored.check('3', 4)).toEqual({ kind: 'duplicate', outcome: { ok: true, value: { n: 1 } } });
    expect(restored.check('5', 1)).toEqual({ kind: 'duplicate', outcome: { ok: false, error: 'Error: no' } });
    expect(() => unwrapSnapshot(new Uint8Array([1, 2, 3, 4]), restored)).toThrow(SnapshotImageError);
    expect(() => unwrapSnapshot(image.subarray(0, 9), restored)).toThrow(SnapshotImageError);
  });
});
