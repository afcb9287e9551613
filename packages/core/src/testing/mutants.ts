/**
 * Deliberately broken variants of the library, for testing test tools: the simulator's
 * invariants, the scenario harness and the browser tests must each catch them. A mutant is a
 * source edit applied while a test bundles the library (see `applyMutant`), so the code that
 * ships carries no switch for any of them. An edit that no longer matches the source throws,
 * so a mutant cannot silently stop testing anything.
 */

export interface MutantEdit {
  /** A file under packages/core/src. */
  readonly file: string;
  /** Text that occurs exactly once in that file. */
  readonly find: string;
  readonly replace: string;
}

export interface Mutant {
  readonly name: string;
  /** The bug, and the rule it breaks. */
  readonly what: string;
  readonly edits: readonly MutantEdit[];
}

export class MutantError extends Error {
  override readonly name = 'MutantError';
}

export const mutants: readonly Mutant[] = Object.freeze([
  {
    name: 'voteWithoutLogCheck',
    what: 'grants votes without the §5.4.1 up-to-date check',
    edits: [{ file: 'raft/election.ts', find: 'const logOk = r.log.isAtLeastAsRecent(m.lastLogIndex, m.lastLogTerm);', replace: 'const logOk = true;' }],
  },
  {
    name: 'countStaleVotes',
    what: 'counts vote grants from earlier terms (§5.2)',
    edits: [
      {
        file: 'raft/raft.ts',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to patch
        find: "      return { reason: 'staleTerm', detail: `${m.type} of term ${m.term} below ${this.term}` };",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to patch
        replace: "      if (m.type === 'voteResp') return this.stepRole(this, m);\n      return { reason: 'staleTerm', detail: `${m.type} of term ${m.term} below ${this.term}` };",
      },
    ],
  },
  {
    name: 'commitOldTermByCount',
    what: 'commits entries of earlier terms by counting replicas (the Figure 8 bug, §5.4.2)',
    edits: [{ file: 'raft/raft.ts', find: '    if (this.log.term(index) !== this.term) return false;\n', replace: '' }],
  },
  {
    name: 'replyBeforePersist',
    what: 'sends acknowledgements before the writes they depend on are durable (Figure 2)',
    edits: [{ file: 'raft/raw-node.ts', find: 'else if (needSeq <= this.#persistedSeq) messages.push(message);', replace: 'else if (needSeq >= 0) messages.push(message);' }],
  },
  {
    name: 'applyBeforeCommit',
    what: 'hands entries out for applying before they are committed (§5.3)',
    edits: [{ file: 'raft/raw-node.ts', find: 'return Math.min(log.committed, log.durable);', replace: 'return log.durable;' }],
  },
  {
    name: 'noStepDownOnHigherTerm',
    what: 'a leader adopts a higher term but keeps leading (§5.1)',
    edits: [
      {
        file: 'raft/raft.ts',
        find: "      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {\n        this.becomeFollower(m.term, m.from);",
        replace:
          "      } else if (this.role === 'leader') {\n        this.term = m.term;\n        this.vote = '';\n      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {\n        this.becomeFollower(m.term, m.from);",
      },
    ],
  },
  {
    name: 'leadBeforeOwnVoteDurable',
    what: 'a candidate counts its own vote before it is durable, so a crash can make it lead a term twice (§5.2)',
    edits: [{ file: 'raft/follower.ts', find: 'else if (r.trk.votes.get(r.id) === true) r.becomeLeader();', replace: 'else r.becomeLeader();' }],
  },
  {
    name: 'appendForwardedTwice',
    what: 'a duplicated forwarded proposal is appended again (no duplicate filter, no term fence): applied twice',
    edits: [
      { file: 'node/inbox.ts', find: "if (loop.role !== 'leader' || message.term !== loop.term) return message;", replace: 'return message;' },
      { file: 'raft/leader.ts', find: '      if (m.term !== r.term) return staleProposal(r, m.term);\n', replace: '' },
    ],
  },
  {
    name: 'countForgottenStores',
    what: 'counts votes and acknowledgements from a node that lost its state, as if it remembered (§5.4.1)',
    edits: [{ file: 'raft/tracker.ts', find: '    if (stores === undefined) return true;', replace: '    if (stores !== null) return true;' }],
  },
  {
    name: 'dropWhenOverwrittenHere',
    what: 'reports a proposal definitely dropped as soon as this node’s own copy of its entry is overwritten, though another node may still commit it',
    edits: [
      {
        file: 'node/proposals.ts',
        find: '    let at = indexes.length;\n',
        replace: [
          '    const last = (): number => indexes.length - 1;',
          '    while (indexes.length > this.head && (indexes[last()]! > index || (indexes[last()] === index && this.appendedTerm[last()] !== term))) {',
          '      const lostIndex = indexes.pop()!;',
          '      const lostTerm = this.appendedTerm.pop()!;',
          '      this.fail(this.appendedSeq.pop()!, new ProposalDroppedError(lostIndex, lostTerm));',
          '    }',
          '    let at = indexes.length;',
          '',
        ].join('\n'),
      },
    ],
  },
  {
    name: 'votesRightAfterRestart',
    what: 'a restarted voter grants votes at once, though a leader may still count its earlier acknowledgement in its lease (§6.4.1)',
    edits: [{ file: 'raft/raft.ts', find: 'this.ticksSinceStart = (restore.hardState?.term ?? 0) > 0 ? 0 : cfg.electionTicks;', replace: 'this.ticksSinceStart = cfg.electionTicks;' }],
  },
  {
    name: 'spliceSnapshots',
    what: 'resumes a chunked snapshot with chunks of another leader’s image of the same index',
    edits: [{ file: 'raft/follower.ts', find: '    incoming.from === m.from &&\n    incoming.term === m.term &&\n', replace: '' }],
  },
  {
    name: 'heartbeatCommitsForgottenLog',
    what: 'a node that lost its state commits what a heartbeat says, on a log the leader does not know it holds',
    edits: [{ file: 'raft/follower.ts', find: 'if (r.admitted()) r.log.commitTo(m.commit);', replace: 'r.log.commitTo(m.commit);' }],
  },
  {
    name: 'sameSessionIdInBatch',
    what: 'session registrations batched into one entry get the same client id, so their requests mix',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to patch
    edits: [{ file: 'node/sessions.ts', find: "const clientId = position === 0 ? String(index) : `${index}.${position}`;", replace: 'const clientId = String(index);' }],
  },
] satisfies Mutant[]);

export function mutantNamed(name: string): Mutant {
  const mutant = mutants.find((m) => m.name === name);
  if (mutant === undefined) throw new MutantError(`unknown mutant ${name}; one of: ${mutants.map((m) => m.name).join(', ')}`);
  return mutant;
}

/**
 * The source of `file` (a path under packages/core/src) with `mutant`'s edits to it applied.
 * @throws MutantError when an edit's text does not occur exactly once.
 */
export function applyMutant(mutant: Mutant, file: string, source: string): string {
  let out = source;
  for (const edit of mutant.edits) {
    if (!file.endsWith(edit.file)) continue;
    const at = out.indexOf(edit.find);
    if (at < 0 || out.indexOf(edit.find, at + 1) >= 0) {
      throw new MutantError(`mutant ${mutant.name}: ${edit.file} must contain this text exactly once: ${edit.find}`);
    }
    out = out.slice(0, at) + edit.replace + out.slice(at + edit.find.length);
  }
  return out;
}
