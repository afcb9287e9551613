import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network, text } from './network.ts';
import { applyMutant, MutantError, mutantNamed, mutants } from '../../src/testing/mutants.ts';
import type { RawNode } from '../../src/raft/raw-node.ts';
import * as publicApi from '../../src/index.ts';
import { mutantRawNode } from '../mutant-cores.ts';

const builds = new Map<string, typeof RawNode>();
beforeAll(async () => {
  for (const name of ['voteWithoutLogCheck', 'countStaleVotes', 'replyBeforePersist', 'applyBeforeCommit', 'noStepDownOnHigherTerm']) {
    builds.set(name, await mutantRawNode(name));
  }
}, 60_000);

/** Swaps `id`'s core for a build with `mutant` compiled in, restarted from its disk. */
function withMutant(net: Network, id: string, mutant: string): void {
  const n = net.node(id);
  const status = n.core.status();
  const Broken = builds.get(mutant)!;
  n.core = new Broken(
    { id, random: () => 0.5, preVote: net.options.preVote ?? true, checkQuorum: net.options.checkQuorum ?? true },
    { hardState: n.disk.hardState, entries: n.disk.entries, bootstrap: status.conf },
  );
  // The state machine restarts empty and replays the committed log.
  n.applied = [];
  n.appliedIndex = 0;
  net.stabilize();
}

describe('mutants (broken variants for testing the test tools)', () => {
  it('each applies to the current sources, which carry no switch for any of them', () => {
    const src = new URL('../../src/', import.meta.url);
    for (const mutant of mutants) {
      for (const edit of mutant.edits) {
        const source = readFileSync(new URL(edit.file, src), 'utf8');
        expect(applyMutant(mutant, edit.file, source)).not.toBe(source);
      }
    }
    expect(() => mutantNamed('nope')).toThrow(MutantError);
    expect(() => applyMutant(mutantNamed('applyBeforeCommit'), 'raft/raw-node.ts', 'no such text')).toThrow(MutantError);
    expect(Object.keys(publicApi)).not.toContain('mutants');
    expect(new Set(mutants.map((m) => m.name)).size).toBe(mutants.length);
  });

  it('voteWithoutLogCheck grants a vote to a lagging candidate', () => {
    for (const mutant of [false, true]) {
      const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
      net.campaign('a');
      net.isolate('c');
      net.propose('a', 'x');
      net.heal();
      if (mutant) withMutant(net, 'b', 'voteWithoutLogCheck');
      net.campaign('c');
      expect(net.core('c').status().role === 'leader').toBe(mutant);
    }
  });

  it('countStaleVotes counts a grant from an earlier term', () => {
    for (const mutant of [false, true]) {
      const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
      if (mutant) withMutant(net, 'a', 'countStaleVotes');
      net.isolate('a');
      net.campaign('a');
      net.campaign('a');
      expect(net.core('a').status()).toMatchObject({ role: 'candidate', term: 2 });
      const rej = net.core('a').step({ type: 'voteResp', from: 'b', to: 'a', term: 1, pre: false, reject: false, storeTag: 0 });
      net.stabilize();
      expect(rej === undefined).toBe(mutant);
      expect(net.core('a').status().role === 'leader').toBe(mutant);
    }
  });

  it('replyBeforePersist acknowledges entries before they are durable', () => {
    for (const mutant of [false, true]) {
      const net = new Network(['a', 'b', 'c']);
      net.campaign('a');
      if (mutant) withMutant(net, 'b', 'replyBeforePersist');
      net.node('b').autoPersist = false;
      net.log = [];
      net.propose('a', 'x');
      const early = net.log.some((m) => m.type === 'appResp' && m.from === 'b' && m.index === 2);
      expect(early).toBe(mutant);
    }
  });

  it('applyBeforeCommit hands out uncommitted entries', () => {
    for (const mutant of [false, true]) {
      const net = new Network(['a', 'b', 'c']);
      net.campaign('a');
      if (mutant) withMutant(net, 'b', 'applyBeforeCommit');
      net.filters.push((m) => m.type !== 'appResp');
      net.propose('a', 'x');
      expect(net.core('a').status().commit).toBe(1);
      expect(net.node('b').applied).toEqual(mutant ? ['x'] : []);
    }
  });

  it('noStepDownOnHigherTerm keeps a leader leading in a term it did not win', () => {
    for (const mutant of [false, true]) {
      const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false });
      net.campaign('a');
      if (mutant) withMutant(net, 'a', 'noStepDownOnHigherTerm');
      if (mutant) net.campaign('a');
      net.core('a').step({ type: 'heartbeat', from: 'b', to: 'a', term: 7, commit: 0, context: text('') });
      expect(net.core('a').status().term).toBe(7);
      expect(net.core('a').status().role === 'leader').toBe(mutant);
    }
  });
});
