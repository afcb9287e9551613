/**
 * The receiver rules of Figure 2 of the Raft paper, each at its boundary values: one node, one
 * message, and the node's answer and state after it. A deliberate single-message harness (no
 * network, no Ready loop but the few lines below): every case names the rule it checks.
 */
import { describe, expect, it } from 'vitest';
import { RawNode } from '../../src/raft/raw-node.ts';
import type { Entry, Message, NodeId } from '../../src/raft/types.ts';
import { logOfTerms, voters } from './network.ts';

/** One node and a mirror of what it has written: the terms of its log entries. */
class Harness {
  readonly terms: number[];

  constructor(
    readonly node: RawNode,
    terms: readonly number[] = [],
  ) {
    this.terms = [...terms];
  }

  /** Steps `m` and returns what the node sends, its writes made durable. */
  answer(m: Message): Message[] {
    const refused = this.node.step(m);
    // A malformed message here would be a mistake of the test, not a rule at work.
    if (refused?.reason === 'impossibleField') throw new Error(refused.detail);
    return this.drain();
  }

  /** Hands out every Ready, its writes made durable at once, and returns what it sends. */
  drain(): Message[] {
    const out: Message[] = [];
    while (this.node.hasReady()) {
      const rd = this.node.ready();
      for (const e of rd.entries) {
        this.terms.length = e.index - 1;
        this.terms.push(e.term);
      }
      out.push(...rd.messages, ...rd.messagesAfterPersist);
      this.node.advance(rd);
      if (rd.seq > 0) this.node.persisted(rd.seq);
    }
    return out;
  }

  status(): ReturnType<RawNode['status']> {
    return this.node.status();
  }
}

// The longest randomized election timeout (19 ticks), so a follower can sit past its restart guard.
const options = (id: NodeId) => ({ id, electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false, random: () => 0.99 });

/** Follower `b` of a, b, c in `term`, holding entries of `terms`. */
function follower(opts: { term: number; vote?: NodeId; terms: readonly number[]; commit?: number }): Harness {
  const node = new RawNode(options('b'), {
    hardState: { term: opts.term, vote: opts.vote ?? '', commit: opts.commit ?? 0 },
    entries: logOfTerms(opts.terms),
    bootstrap: voters(['a', 'b', 'c']),
  });
  // A voter restarted with a term ignores vote requests for an election timeout (thesis §6.4.1,
  // tested in lost-state.test.ts); the rules here are those of a node that has been up a while.
  for (let i = 0; i < 10; i++) node.tick();
  return new Harness(node, opts.terms);
}

/** `a`, just elected leader of term 1 among `ids` by the votes of `grants`. */
function leader(ids: readonly NodeId[], grants: readonly NodeId[]): Harness {
  const a = new Harness(new RawNode(options('a'), { bootstrap: voters(ids) }));
  a.node.campaign();
  a.drain();
  a.answer({ type: 'voteResp', from: grants[0] ?? '', to: 'a', term: 1, reject: grants.length === 0, pre: false, storeTag: 0 });
  for (const from of grants.slice(1)) a.answer({ type: 'voteResp', from, to: 'a', term: 1, reject: false, pre: false, storeTag: 0 });
  return a;
}

const vote = (term: number, lastLogIndex: number, lastLogTerm: number, from: NodeId = 'c'): Message => ({
  type: 'vote',
  from,
  to: 'b',
  term,
  lastLogIndex,
  lastLogTerm,
  pre: false,
  transfer: false,
});

const app = (term: number, prevLogIndex: number, prevLogTerm: number, entryTerms: readonly number[], commit: number): Message => ({
  type: 'app',
  from: 'a',
  to: 'b',
  term,
  prevLogIndex,
  prevLogTerm,
  entries: entryTerms.map((t, i): Entry => ({ term: t, index: prevLogIndex + 1 + i, type: 'normal', data: new Uint8Array([t, i]) })),
  commit,
});

const granted = (out: readonly Message[]): boolean => out.some((m) => m.type === 'voteResp' && !m.reject);

describe('Figure 2, RequestVote receiver', () => {
  // b is in term 5 and holds [1, 1, 3, 3]: last index 4, last term 3.
  const base = { term: 5, terms: [1, 1, 3, 3] };

  it.each([
    [4, false, 5],
    [5, true, 5],
    [6, true, 6],
  ])('rule 1: a request of term %i (receiver in term 5) is granted: %s; receiver term after: %i', (term, grant, after) => {
    const b = follower(base);
    const out = b.answer(vote(term, 4, 3));
    expect(granted(out)).toBe(grant);
    expect(b.status().term).toBe(after);
  });

  it.each([
    ['nobody', '', true],
    ['the same candidate', 'c', true],
    ['another candidate', 'a', false],
  ])('rule 2: having voted for %s in this term, the vote is granted: %s', (_what, votedFor, grant) => {
    const b = follower({ ...base, vote: votedFor });
    expect(granted(b.answer(vote(5, 4, 3)))).toBe(grant);
    expect(b.status().vote).toBe(votedFor === '' ? 'c' : votedFor);
  });

  it.each([
    [100, 2, false, 'a lower last term loses however long its log'],
    [3, 3, false, 'the same last term and a shorter log'],
    [4, 3, true, 'the same last term and the same length (at least as up to date)'],
    [5, 3, true, 'the same last term and a longer log'],
    [1, 4, true, 'a higher last term wins however short its log'],
  ])('rule 2, §5.4.1: candidate log ending at index %i of term %i is granted: %s (%s)', (lastLogIndex, lastLogTerm, grant) => {
    const b = follower(base);
    expect(granted(b.answer(vote(6, lastLogIndex, lastLogTerm)))).toBe(grant);
    // A refused vote in a higher term still moves the term (§5.1), without a vote.
    expect(b.status().term).toBe(6);
    expect(b.status().vote).toBe(grant ? 'c' : '');
  });

  it('thesis §4.1: a candidate outside the configuration (a voter added by a change not learned yet) gets the vote while no leader is heard', () => {
    const b = follower(base);
    expect(granted(b.answer(vote(6, 4, 3, 'd')))).toBe(true);
    expect(b.status()).toMatchObject({ term: 6, vote: 'd' });
  });

  it('thesis §4.2.3: while it hears from its leader, a node refuses such a candidate, moving no term', () => {
    const b = follower(base);
    b.answer({ type: 'heartbeat', from: 'a', to: 'b', term: 5, commit: 2, context: new Uint8Array(0) });
    expect(b.node.step(vote(6, 4, 3, 'd'))?.reason).toBe('nonMember');
    expect(b.status()).toMatchObject({ term: 5, lead: 'a' });
    for (let i = 0; i < 10; i++) b.node.tick();
    expect(granted(b.answer(vote(6, 4, 3, 'd')))).toBe(true);
  });

  it('a granted vote is durable before it is sent', () => {
    const b = follower(base).node;
    b.step(vote(6, 4, 3));
    const rd = b.ready();
    expect(rd.hardState).toMatchObject({ term: 6, vote: 'c' });
    expect(rd.messages.filter((m) => m.type === 'voteResp')).toEqual([]);
    expect(rd.messagesAfterPersist).toContainEqual(expect.objectContaining({ type: 'voteResp', to: 'c', reject: false }));
  });
});

describe('Figure 2, AppendEntries receiver', () => {
  // b is in term 5, holds [1, 1, 3, 3] and has committed 2.
  const base = { term: 5, terms: [1, 1, 3, 3], commit: 2 };
  const accepted = (out: readonly Message[]): boolean => out.some((m) => m.type === 'appResp' && !m.reject);
  const refused = (out: readonly Message[]): boolean => out.some((m) => m.type === 'appResp' && m.reject);

  it.each([
    [4, false, 5],
    [5, true, 5],
    [6, true, 6],
  ])('rule 1: a request of term %i (receiver in term 5) is taken: %s; receiver term after: %i', (term, take, after) => {
    const b = follower(base);
    const out = b.answer(app(term, 4, 3, [term], 2));
    expect(accepted(out)).toBe(take);
    expect(b.terms).toEqual(take ? [1, 1, 3, 3, term] : [1, 1, 3, 3]);
    expect(b.status().term).toBe(after);
    // A stale leader learns the newer term from the answer, if there is one.
    for (const m of out) expect(m.term).toBe(after);
  });

  it.each([
    [0, 0, true, 'the empty prefix always matches'],
    [4, 3, true, 'the last entry, matching term'],
    [2, 1, true, 'an earlier entry, matching term'],
    [4, 2, false, 'the last entry, another term'],
    [3, 1, false, 'an earlier entry, another term'],
    [5, 3, false, 'one past the last entry'],
  ])('rule 2: previous entry (%i, term %i) is matched: %s (%s)', (prevIndex, prevTerm, take) => {
    const b = follower(base);
    const out = b.answer(app(5, prevIndex, prevTerm, [], 2));
    expect(accepted(out)).toBe(take);
    expect(refused(out)).toBe(!take);
    expect(b.terms).toEqual([1, 1, 3, 3]);
  });

  it('rule 3: a conflicting entry is deleted with all that follow it', () => {
    const b = follower(base);
    b.answer(app(5, 2, 1, [5], 2));
    expect(b.terms).toEqual([1, 1, 5]);
  });

  it('rule 3: entries that match delete nothing, even when the request is shorter than the log (a late copy)', () => {
    const b = follower(base);
    b.answer(app(5, 1, 1, [1, 3], 2));
    expect(b.terms).toEqual([1, 1, 3, 3]);
  });

  it('rule 3: a conflict at the first entry after the committed ones truncates there, and never below commit', () => {
    const b = follower(base);
    b.answer(app(5, 2, 1, [4, 4, 4], 2));
    expect(b.terms).toEqual([1, 1, 4, 4, 4]);
    expect(b.status().commit).toBe(2);
  });

  it('rule 4: new entries after the matching prefix are appended, those already there kept', () => {
    const b = follower(base);
    b.answer(app(5, 3, 3, [3, 5, 5], 2));
    expect(b.terms).toEqual([1, 1, 3, 3, 5, 5]);
  });

  it.each([
    [1, 2, [], 'a leader commit below ours never lowers it'],
    [2, 2, [], 'equal: unchanged'],
    [3, 3, [3], 'above ours and within the new entries'],
    [10, 4, [3, 3], 'above the last new entry: capped at it'],
    // The entries after index 2 may be a deposed leader's: the request vouches only for what it sent.
    [4, 2, [], 'capped at the last entry the request covers, not at our log’s end'],
  ])('rule 5: leader commit %i gives commit %i (entries sent after index 2: %j; %s)', (leaderCommit, commit, sent) => {
    const b = follower(base);
    b.answer(app(5, 2, 1, sent, leaderCommit));
    expect(b.status().commit).toBe(commit);
  });
});

describe('Figure 2, rules for servers', () => {
  it.each(['app', 'appResp', 'vote', 'voteResp', 'heartbeat', 'heartbeatResp'] as const)(
    'all servers: a %s of a higher term makes a leader follow that term',
    (type) => {
      const a = leader(['a', 'b', 'c'], ['b']);
      expect(a.status().role).toBe('leader');
      const base = { from: 'c', to: 'a', term: 2 };
      const m: Record<typeof type, Message> = {
        app: { ...base, type: 'app', prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 },
        appResp: { ...base, type: 'appResp', index: 0, reject: false, hintIndex: 0, hintTerm: 0, storeTag: 0 },
        vote: { ...base, type: 'vote', lastLogIndex: 0, lastLogTerm: 0, pre: false, transfer: false },
        voteResp: { ...base, type: 'voteResp', reject: true, pre: false, storeTag: 0 },
        heartbeat: { ...base, type: 'heartbeat', commit: 0, context: new Uint8Array(0) },
        heartbeatResp: { ...base, type: 'heartbeatResp', context: new Uint8Array(0), storeTag: 0 },
      };
      a.answer(m[type]);
      expect(a.status()).toMatchObject({ term: 2, role: 'follower' });
    },
  );

  it.each([
    [[], 'candidate'],
    [['c'], 'candidate'],
    [['c', 'd'], 'leader'],
  ])('candidates: granted votes from %j besides its own, of five voters, make it a %s', (grants, role) => {
    const a = new Harness(new RawNode(options('a'), { bootstrap: voters(['a', 'b', 'c', 'd', 'e']) }));
    a.node.campaign();
    a.drain();
    a.answer({ type: 'voteResp', from: 'b', to: 'a', term: 1, reject: true, pre: false, storeTag: 0 });
    for (const from of grants) a.answer({ type: 'voteResp', from, to: 'a', term: 1, reject: false, pre: false, storeTag: 0 });
    expect(a.status().role).toBe(role);
  });

  it('candidates: grants from an earlier term count for nothing (§5.2)', () => {
    const a = new Harness(new RawNode(options('a'), { hardState: { term: 1, vote: 'a', commit: 0 }, bootstrap: voters(['a', 'b', 'c']) }));
    for (let i = 0; i < 10; i++) a.node.tick();
    a.node.campaign(); // term 2
    a.drain();
    a.answer({ type: 'voteResp', from: 'b', to: 'a', term: 1, reject: false, pre: false, storeTag: 0 });
    expect(a.status()).toMatchObject({ term: 2, role: 'candidate' });
    a.answer({ type: 'voteResp', from: 'b', to: 'a', term: 2, reject: false, pre: false, storeTag: 0 });
    expect(a.status()).toMatchObject({ term: 2, role: 'leader' });
  });

  it('candidates: an AppendEntries of its own term from the leader of that term makes it a follower', () => {
    const a = new Harness(new RawNode(options('a'), { bootstrap: voters(['a', 'b', 'c']) }));
    a.node.campaign();
    a.drain();
    a.answer({ type: 'app', from: 'c', to: 'a', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 });
    expect(a.status()).toMatchObject({ term: 1, role: 'follower', lead: 'c' });
  });

  it.each([
    [[], false],
    [['b'], false],
    [['b', 'c'], true],
  ])('leaders: an entry of its term acknowledged by %j besides itself, of five voters, is committed: %s', (holders, committed) => {
    const a = leader(['a', 'b', 'c', 'd', 'e'], ['b', 'c']);
    expect(a.status().role).toBe('leader');
    const noop = a.status().lastIndex;
    for (const from of holders) a.answer({ type: 'appResp', from, to: 'a', term: 1, index: noop, reject: false, hintIndex: 0, hintTerm: 0, storeTag: 0 });
    expect(a.status().commit).toBe(committed ? noop : 0);
  });

  it('leaders: an entry of an earlier term on a majority is not committed by counting (§5.4.2)', () => {
    // a leads term 3 over [1, 2]; every voter holds entry 2 (term 2), none yet its own noop.
    const a = new Harness(
      new RawNode(options('a'), { hardState: { term: 2, vote: 'a', commit: 1 }, entries: logOfTerms([1, 2]), bootstrap: voters(['a', 'b', 'c']) }),
      [1, 2],
    );
    a.node.campaign();
    a.drain();
    a.answer({ type: 'voteResp', from: 'b', to: 'a', term: 3, reject: false, pre: false, storeTag: 0 });
    expect(a.status()).toMatchObject({ role: 'leader', term: 3 });
    for (const from of ['b', 'c']) a.answer({ type: 'appResp', from, to: 'a', term: 3, index: 2, reject: false, hintIndex: 0, hintTerm: 0, storeTag: 0 });
    expect(a.status().commit).toBe(1);
    a.answer({ type: 'appResp', from: 'b', to: 'a', term: 3, index: 3, reject: false, hintIndex: 0, hintTerm: 0, storeTag: 0 });
    expect(a.status().commit).toBe(3);
  });

  it('leaders: a refused AppendEntries moves nextIndex back, and the next one starts there', () => {
    const a = new Harness(
      new RawNode(options('a'), { hardState: { term: 2, vote: 'a', commit: 1 }, entries: logOfTerms([1, 2, 2]), bootstrap: voters(['a', 'b', 'c']) }),
      [1, 2, 2],
    );
    a.node.campaign();
    a.drain();
    a.answer({ type: 'voteResp', from: 'b', to: 'a', term: 3, reject: false, pre: false, storeTag: 0 });
    // b holds only entry 1: it refuses the probe after 3 and hints at its last entry.
    const out = a.answer({ type: 'appResp', from: 'b', to: 'a', term: 3, index: 3, reject: true, hintIndex: 1, hintTerm: 1, storeTag: 0 });
    const next = out.find((m) => m.type === 'app' && m.to === 'b');
    expect(next).toMatchObject({ prevLogIndex: 1, prevLogTerm: 1 });
    expect(a.status().progress?.b?.next).toBe(2);
  });
});
