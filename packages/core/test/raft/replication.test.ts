import { describe, expect, it } from 'vitest';
import { Network, logOfTerms, str, text, voters } from './network.ts';
import type { Entry, Message } from '../../src/raft/types.ts';
import { mutantRawNode } from '../mutant-cores.ts';
import { RawNode } from '../../src/raft/raw-node.ts';

const termsOf = (entries: readonly Entry[]): number[] => entries.map((e) => e.term);

describe('replication', () => {
  it('§5.3 Figure 7: the leader brings every follower log in line with its own', () => {
    const ids = ['L', 'a', 'b', 'c', 'd', 'e', 'f'];
    const logs: Record<string, number[]> = {
      L: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6],
      a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 1, 4],
      c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 1, 4, 4, 4, 4],
      f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    };
    const net = new Network([], { preVote: false, checkQuorum: false });
    for (const id of ids) {
      net.addFromDisk(id, { hardState: { term: 7, vote: '', commit: 3 }, entries: logOfTerms(logs[id] ?? []) }, voters(ids));
    }
    net.campaign('L');
    expect(net.core('L').status()).toMatchObject({ role: 'leader', term: 8 });
    const expected = [...(logs.L ?? []), 8];
    for (const id of ids) {
      expect(termsOf(net.node(id).disk.entries), id).toEqual(expected);
      expect(net.core(id).status().commit, id).toBe(11);
    }
  });

  it('§5.3: fast backtracking needs few round trips for a long divergent suffix', () => {
    const net = new Network([], { preVote: false, checkQuorum: false });
    const long = Array.from({ length: 200 }, () => 2);
    net.addFromDisk('a', { hardState: { term: 3, vote: '', commit: 1 }, entries: logOfTerms([1, 3]) }, voters(['a', 'b', 'c']));
    net.addFromDisk('b', { hardState: { term: 3, vote: '', commit: 1 }, entries: logOfTerms([1, 3]) }, voters(['a', 'b', 'c']));
    net.addFromDisk('c', { hardState: { term: 2, vote: '', commit: 1 }, entries: logOfTerms([1, ...long]) }, voters(['a', 'b', 'c']));
    net.campaign('a');
    const rejects = net.log.filter((m) => m.type === 'appResp' && m.from === 'c' && m.reject);
    expect(rejects.length).toBeLessThanOrEqual(2);
    expect(termsOf(net.node('c').disk.entries)).toEqual([1, 3, 4]);
  });

  function figure8(Core: typeof RawNode): Network {
    // Figure 8 (c): s1 leads term 4 and replicates the term-2 entry at index 2 to a majority.
    const ids = ['s1', 's2', 's3', 's4', 's5'];
    const logs: Record<string, number[]> = { s1: [1, 2], s2: [1, 2], s3: [1], s4: [1], s5: [1, 3] };
    const net = new Network([], { preVote: false, checkQuorum: false, maxSizePerMsg: 1 }, undefined, Core);
    for (const id of ids) net.addFromDisk(id, { hardState: { term: 3, vote: '', commit: 1 }, entries: logOfTerms(logs[id] ?? []) }, voters(ids));
    // Acknowledgements of the term-4 entry (index 3) are lost.
    net.filters.push((m) => !(m.type === 'appResp' && m.index >= 3));
    net.campaign('s1');
    expect(net.core('s1').status()).toMatchObject({ role: 'leader', term: 4 });
    return net;
  }

  it('§5.4.2 Figure 8: an entry of an earlier term is not committed by counting replicas', () => {
    const net = figure8(RawNode);
    expect(net.core('s1').status().progress?.s3?.match).toBe(2);
    expect(net.core('s1').status().commit).toBe(1);
    net.heal();
    net.tickAll(2);
    expect(net.core('s1').status().commit).toBe(3);
  });

  it('§5.4.2 Figure 8: the commitOldTermByCount mutant does commit it', async () => {
    const net = figure8(await mutantRawNode('commitOldTermByCount'));
    expect(net.core('s1').status().commit).toBe(2);
  });

  it('§5.4.2: a leader commits earlier-term entries once an entry of its own term commits', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
    net.campaign('a');
    net.filters.push((m) => m.type !== 'appResp');
    net.propose('a', 'x');
    expect(net.core('a').status().commit).toBe(1);
    net.heal();
    net.campaign('b');
    expect(net.core('b').status().commit).toBe(3);
    expect(net.node('c').applied).toEqual(['x']);
  });

  it('§5.3: pipelines many entries per message up to maxSizePerMsg', () => {
    const net = new Network(['a', 'b', 'c'], { maxSizePerMsg: 10 });
    net.campaign('a');
    net.log = [];
    net.filters.push((m) => !(m.type === 'app' && m.to === 'c'));
    for (let i = 0; i < 6; i++) net.core('a').propose(text(`v${i}`)); // 2 bytes each
    net.stabilize();
    net.heal();
    net.tickAll(2);
    const apps = net.log.filter((m): m is Extract<Message, { type: 'app' }> => m.type === 'app' && m.to === 'c' && m.entries.length > 0);
    expect(apps.some((m) => m.entries.length > 1)).toBe(true);
    for (const m of apps) {
      const bytes = m.entries.reduce((s, e) => s + e.data.byteLength, 0);
      expect(bytes <= 10 || m.entries.length === 1).toBe(true);
    }
    expect(net.node('c').applied).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('proposals made before a Ready reach each follower in one app message', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    const leader = net.core('a');
    for (let i = 0; i < 5; i++) leader.propose(text(`v${i}`));
    const apps = leader.ready().messages.filter((m): m is Extract<Message, { type: 'app' }> => m.type === 'app');
    expect(apps.map((m) => [m.to, m.entries.map((e) => str(e.data))])).toEqual([
      ['b', ['v0', 'v1', 'v2', 'v3', 'v4']],
      ['c', ['v0', 'v1', 'v2', 'v3', 'v4']],
    ]);
  });

  it('§5.3: the inflight window bounds unacknowledged app messages', () => {
    const net = new Network(['a', 'b'], { maxInflightMsgs: 3 });
    net.campaign('a');
    net.filters.push((m) => m.type !== 'appResp');
    for (let i = 0; i < 10; i++) {
      net.core('a').propose(text(`${i}`));
      net.stabilize();
    }
    const pr = net.core('a').status().progress?.b;
    expect(pr?.state).toBe('replicate');
    expect(pr?.inflight).toBe(3);
    net.heal();
    net.tickAll(3);
    expect(net.node('b').applied).toHaveLength(10);
  });

  it('§5.3/§5.4.2: the leader counts its own log only once durable', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false });
    net.campaign('a');
    net.node('a').autoPersist = false;
    net.isolate('c');
    net.core('a').propose(text('x'));
    net.stabilize();
    // b acknowledged, but a's own write is needed for the majority.
    expect(net.core('a').status().progress?.b?.match).toBe(2);
    expect(net.core('a').status().commit).toBe(1);
    net.flush('a');
    net.stabilize();
    expect(net.core('a').status().commit).toBe(2);
  });

  it('§5.3: committed entries are handed out only when durable locally', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.node('c').autoPersist = false;
    net.propose('a', 'x');
    net.tickAll(2);
    expect(net.node('a').applied).toEqual(['x']);
    // c learned the commit index from a heartbeat but its entries are not durable yet.
    expect(net.core('c').status().commit).toBe(2);
    expect(net.node('c').applied).toEqual([]);
    net.flush('c');
    net.stabilize();
    expect(net.node('c').applied).toEqual(['x']);
  });

  it('§5.1/Figure 2: restart: a node recovers term, vote, log and commit from its disk', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.propose('a', 'x');
    net.propose('a', 'y');
    net.crash('b');
    net.propose('a', 'z');
    net.restart('b');
    const st = net.core('b').status();
    expect(st.term).toBe(1);
    expect(st.lastIndex).toBe(3);
    net.tickAll(3);
    expect(net.node('b').applied).toEqual(['x', 'y', 'z']);
    expect(net.core('b').status().commit).toBe(4);
  });

  it('§5.4: restart of a whole cluster keeps committed entries', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.propose('a', 'x');
    for (const id of ['a', 'b', 'c']) net.crash(id);
    for (const id of ['a', 'b', 'c']) net.restart(id);
    net.tickAll(40);
    const leader = net.leader();
    expect(leader).toBeDefined();
    net.propose(leader as string, 'y');
    for (const id of ['a', 'b', 'c']) expect(net.node(id).applied).toEqual(['x', 'y']);
  });

  it('Figure 2 (persist before responding): a message that overtakes a write is held until persisted (async persistence)', () => {
    const net = new Network(['a', 'b', 'c']);
    net.campaign('a');
    net.node('b').autoPersist = false;
    net.log = [];
    net.propose('a', 'x');
    expect(net.log.filter((m) => m.type === 'appResp' && m.from === 'b')).toHaveLength(0);
    // A duplicate app (no new write) must not produce an early acknowledgement either.
    net.tickAll(2);
    expect(net.log.filter((m) => m.type === 'appResp' && m.from === 'b' && m.index >= 2)).toHaveLength(0);
    net.flush('b');
    net.stabilize();
    expect(net.log.some((m) => m.type === 'appResp' && m.from === 'b' && m.index >= 2)).toBe(true);
    expect(str(net.node('b').disk.entries[1]?.data ?? new Uint8Array())).toBe('x');
  });
});

describe('flow control', () => {
  it('§5.3 maxInflightBytes bounds the bytes in flight to one follower', () => {
    const net = new Network(['a', 'b'], { maxInflightBytes: 10 });
    net.campaign('a');
    net.filters.push((m) => m.type !== 'appResp');
    net.log = [];
    for (let i = 0; i < 10; i++) {
      net.core('a').propose(new Uint8Array(4));
      net.stabilize();
    }
    const sent = net.log.filter((m): m is Extract<Message, { type: 'app' }> => m.type === 'app' && m.to === 'b');
    const bytes = sent.reduce((s, m) => s + m.entries.reduce((t, e) => t + e.data.byteLength, 0), 0);
    // Sending stops once 10 bytes are unacknowledged (the message that crosses the bound still goes).
    expect(bytes).toBe(12);
  });

  it('§5.3: maxCommittedSizePerReady splits committed entries across Readys', () => {
    const net = new Network(['a'], { maxCommittedSizePerReady: 8 });
    net.campaign('a');
    const n = net.node('a');
    n.autoPersist = false;
    for (let i = 0; i < 5; i++) n.core.propose(new Uint8Array(4));
    net.handleReady(n);
    net.flush('a');
    const sizes: number[] = [];
    while (n.core.hasReady()) {
      const rd = n.core.ready();
      if (rd.committedEntries.length > 0) sizes.push(rd.committedEntries.length);
      n.core.advance(rd);
      if (rd.seq > 0) n.core.persisted(rd.seq);
    }
    expect(sizes).toEqual([2, 2, 1]);
  });
});
