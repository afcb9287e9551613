import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogStore } from '../../src/storage/memory.ts';
import { LogExportError, describeEntry, exportLog, parseLogExport, serializeLogExport } from '../../src/node/log-export.ts';
import { encodeConfChange } from '../../src/raft/conf-change-codec.ts';
import { EnvelopeCodec, encodeBatch } from '../../src/node/envelope.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('log export', () => {
  it('exports a running cluster node by node and reads every entry back', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    await c.run(leader.propose({ op: 'put', key: 'x', value: '1' }));
    const session = await c.run(leader.openSession());
    await c.run(session.propose({ op: 'put', key: 'y', value: '2' }));
    await c.run(leader.addMember('d', { learner: true }));
    await c.stopAll();

    const exported = await exportLog(new MemoryLogStore({ data: c.disks.get(leader.id)! }));
    const parsed = parseLogExport(serializeLogExport(exported));
    expect(parsed).toEqual(exported);
    expect(parsed.hardState.commit).toBe(parsed.entries.at(-1)!.index);
    expect(parsed.snapshot?.meta.conf.voters).toEqual(['a', 'b', 'c']);

    const kinds = parsed.entries.map((e) => describeEntry(e));
    // The first leader's first entry records the founders' configuration (a change that changes nothing).
    expect(kinds[0]).toMatchObject({ kind: 'config', change: { changes: [] } });
    expect(kinds).toContainEqual({ kind: 'commands', commands: [{ command: { op: 'put', key: 'x', value: '1' } }] });
    expect(kinds).toContainEqual({ kind: 'register' });
    expect(kinds).toContainEqual({
      kind: 'commands',
      commands: [{ command: { op: 'put', key: 'y', value: '2' }, session: { clientId: expect.any(String), seq: 1 } }],
    });
    const config = kinds.slice(1).find((k) => k.kind === 'config');
    expect(config).toMatchObject({ change: { changes: [{ type: 'addLearner', id: 'd' }] } });
  });

  it('describes batches, bad commands and foreign bytes without throwing', () => {
    const codec = new EnvelopeCodec('n1', 7);
    const batch = encodeBatch([codec.encode(1, json({ a: 1 })), codec.encode(2, new TextEncoder().encode('{nope'))]);
    const described = describeEntry({ index: 1, term: 1, type: 'normal', data: batch });
    expect(described.kind).toBe('commands');
    if (described.kind !== 'commands') return;
    expect(described.commands[0]).toEqual({ command: { a: 1 } });
    expect(described.commands[1]!.error).toMatch(/JSON/);
    expect(describeEntry({ index: 2, term: 1, type: 'normal', data: Uint8Array.of(0xff, 1) })).toMatchObject({ kind: 'undecodable' });
    expect(describeEntry({ index: 3, term: 1, type: 'config', data: Uint8Array.of(1) })).toMatchObject({ kind: 'undecodable', type: 'config' });
    const change = { changes: [{ type: 'remove' as const, id: 'x' }], transition: 'auto' as const, context: new Uint8Array(0) };
    expect(describeEntry({ index: 4, term: 1, type: 'config', data: encodeConfChange(change) })).toEqual({ kind: 'config', change });
  });

  it('round-trips bytes of every length through base64', () => {
    for (let n = 0; n < 7; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 200) & 255);
      const log = parseLogExport(serializeLogExport({
        format: 'webraft-log-export', version: 1, hardState: { term: 1, vote: '', commit: 0 },
        entries: [{ index: 1, term: 1, type: 'normal', data }],
      }));
      expect(log.entries[0]!.data).toEqual(data);
    }
  });

  it('refuses malformed exports with a LogExportError naming the field', () => {
    const good = JSON.parse(serializeLogExport({
      format: 'webraft-log-export', version: 1, hardState: { term: 2, vote: 'a', commit: 1 },
      entries: [{ index: 1, term: 1, type: 'noop', data: new Uint8Array(0) }, { index: 2, term: 2, type: 'noop', data: new Uint8Array(0) }],
    }));
    // biome-ignore lint/suspicious/noExplicitAny: the test builds invalid shapes on purpose
    const bad = (patch: (w: any) => void) => {
      const w = structuredClone(good);
      patch(w);
      return () => parseLogExport(JSON.stringify(w));
    };
    expect(() => parseLogExport('{')).toThrow(LogExportError);
    expect(bad((w) => (w.version = 2))).toThrow(/version/);
    expect(bad((w) => (w.format = 'x'))).toThrow(/format/);
    expect(bad((w) => (w.hardState.term = -1))).toThrow(/hardState\.term/);
    expect(bad((w) => (w.entries[1].index = 5))).toThrow(/hole/);
    expect(bad((w) => (w.entries[0].data = 'a'))).toThrow(/entries\[0\]\.data is not base64/);
    expect(bad((w) => (w.entries[0].type = 'x'))).toThrow(/entries\[0\]\.type/);
    expect(bad((w) => (w.snapshot = { meta: { index: 1, term: 1, conf: {} }, data: '' }))).toThrow(/conf/);
  });
});
