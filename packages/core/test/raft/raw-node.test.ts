import { describe, expect, it } from 'vitest';
import { RawNode } from '../../src/raft/raw-node.ts';
import { RaftRestoreError, RaftUsageError } from '../../src/raft/errors.ts';
import { voters, logOfTerms, text } from './network.ts';
import type { Message } from '../../src/raft/types.ts';

const single = (): RawNode => new RawNode({ id: 'a', random: () => 0 }, { bootstrap: voters(['a']) });

describe('RawNode Ready protocol', () => {
  it('numbers writes and hands each thing out once', () => {
    const n = single();
    expect(n.hasReady()).toBe(false);
    n.campaign();
    const rd1 = n.ready();
    expect(rd1.seq).toBe(1);
    expect(rd1.hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
    expect(rd1.softState).toEqual({ role: 'candidate', lead: '' });
    expect(n.hasReady()).toBe(false);
    n.advance(rd1);
    // The candidate's own vote counts once its write is durable.
    expect(n.status().role).toBe('candidate');
    n.persisted(1);
    expect(n.status().role).toBe('leader');
    const rd2 = n.ready();
    expect(rd2.seq).toBe(2);
    expect(rd2.entries.map((e) => e.type)).toEqual(['noop']);
    expect(rd2.committedEntries).toEqual([]);
    n.advance(rd2);
    n.persisted(2);
    const rd3 = n.ready();
    expect(rd3.hardState?.commit).toBe(1);
    expect(rd3.committedEntries.map((e) => e.index)).toEqual([1]);
  });

  it('a Ready with no writes has seq 0 and produces more Readys before earlier writes are durable', () => {
    const n = single();
    n.campaign();
    n.advance(n.ready());
    n.persisted(1);
    n.advance(n.ready());
    const out = n.propose(text('x'));
    expect(out).toEqual({ ok: true, index: 2, term: 1 });
    const rd = n.ready();
    expect(rd.seq).toBe(3);
    expect(rd.entries.map((e) => e.index)).toEqual([2]);
    expect(n.ready().seq).toBe(0);
  });

  it('persisted() of a write never handed out is a usage error', () => {
    const n = single();
    expect(() => n.persisted(5)).toThrow(RaftUsageError);
  });

  it('an acknowledgement that depends on an earlier pending write is held until it is durable', () => {
    const f = new RawNode({ id: 'b', random: () => 0 }, { bootstrap: voters(['a', 'b']) });
    const app: Message = { type: 'app', from: 'a', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0, commit: 0, entries: logOfTerms([1]) };
    f.step(app);
    const rd1 = f.ready();
    expect(rd1.seq).toBe(1);
    expect(rd1.messagesAfterPersist.map((m) => m.type)).toEqual(['appResp']);
    // The same append again: no new write, but the answer still depends on write 1.
    f.step(app);
    const rd2 = f.ready();
    expect(rd2.seq).toBe(0);
    expect(rd2.messages).toEqual([]);
    expect(rd2.messagesAfterPersist).toEqual([]);
    f.persisted(1);
    expect(f.hasReady()).toBe(true);
    expect(f.ready().messages.map((m) => m.type)).toEqual(['appResp']);
  });

  it('restore refuses entries with a hole', () => {
    const entries = logOfTerms([1, 1, 1]).filter((e) => e.index !== 2);
    expect(() => new RawNode({ id: 'a', random: () => 0 }, { entries, bootstrap: voters(['a']) })).toThrow(RaftRestoreError);
  });

  it('compact refuses a snapshot beyond the applied index', () => {
    const n = single();
    const conf = voters(['a']);
    expect(() => n.compact({ meta: { index: 3, term: 1, conf }, data: new Uint8Array() })).toThrow(RaftUsageError);
  });

  it('status reports progress only on a leader', () => {
    const n = single();
    expect(n.status().progress).toBeUndefined();
    n.campaign();
    n.advance(n.ready());
    n.persisted(1);
    expect(n.status().progress?.a).toMatchObject({ state: 'replicate' });
  });
});
