/**
 * Raft's safety properties (Figure 3 of the paper) plus the driver-visible rules they rest
 * on, checked incrementally after every simulator step:
 * - Election Safety: at most one leader per term, elected by a quorum of votes cast in that term (§5.2).
 * - Leader Append-Only: a leader never overwrites or deletes its entries.
 * - Log Matching: two entries with the same index and term have the same content and history.
 * - Leader Completeness: an entry committed in term t is in the log of every leader of a later term.
 * - State Machine Safety: no two nodes apply different entries at one index.
 * - Commit: never decreases (nor drops below the durable commit on restart), never past the
 *   log, a leader commits by counting only entries of its own term (§5.4.2), and a newly
 *   committed entry is durable on a quorum (§5.3).
 * - Apply: in index order, only committed entries, never rolled back.
 */
import type { Entry, NodeId, Ready, Snapshot } from '@webraft/core';
import type { NodeBefore, SimNode } from './sim-node.ts';

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  constructor(
    readonly property: string,
    readonly detail: string,
  ) {
    super(`${property}: ${detail}`);
  }
}

interface Committed {
  readonly term: number;
  readonly hash: number;
  /** Term of the node that first reported it committed (the committing leader's term). */
  readonly inTerm: number;
}

export function entryHash(entry: Entry): number {
  let h = 0x811c9dc5 ^ entry.term;
  h = Math.imul(h ^ entry.type.length, 0x01000193);
  const data = entry.data;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
  return h >>> 0;
}

export class Invariants {
  private readonly leaders = new Map<number, NodeId>();
  private readonly committed: Committed[] = [];
  private readonly appliedHash: number[] = [];
  private readonly entries = new Map<string, { hash: number; prevTerm: number | undefined }>();
  /** `term:candidate` → the nodes that recorded a vote for it in that term. */
  private readonly votes = new Map<string, Set<NodeId>>();

  constructor(private readonly nodes: () => readonly SimNode[]) {}

  /** Highest index known committed anywhere. */
  get commitIndex(): number {
    return this.committed.length;
  }

  /** The term a node currently leads in, if it is a leader that has committed an entry of its term. */
  committedInTerm(node: SimNode): boolean {
    const c = node.hardState.commit;
    return node.role === 'leader' && c > 0 && node.store.view.termAt(c) === node.hardState.term;
  }

  afterReady(node: SimNode, rd: Ready, before: NodeBefore): void {
    this.checkAppend(node, rd, before);
    const term = node.hardState.term;
    if (rd.hardState && rd.hardState.vote !== '') {
      const key = `${rd.hardState.term}:${rd.hardState.vote}`;
      let voters = this.votes.get(key);
      if (voters === undefined) this.votes.set(key, (voters = new Set()));
      voters.add(node.id);
    }
    if (node.role === 'leader') {
      const other = this.leaders.get(term);
      if (other === undefined) this.leaders.set(term, node.id);
      else if (other !== node.id) {
        throw new InvariantViolation('Election Safety', `${other} and ${node.id} are both leaders of term ${term}`);
      }
      if (before.role !== 'leader' || before.hardState.term !== term) {
        this.checkElected(node);
        this.checkLeaderComplete(node);
      }
    }
    this.checkCommit(node, before);
  }

  private checkAppend(node: SimNode, rd: Ready, before: NodeBefore): void {
    const first = rd.entries[0];
    if (first === undefined) return;
    if (before.role === 'leader' && node.role === 'leader' && before.hardState.term === node.hardState.term && first.index <= before.lastIndex) {
      throw new InvariantViolation('Leader Append-Only', `leader ${node.id} rewrote its log from index ${first.index} (last was ${before.lastIndex})`);
    }
    const view = node.store.view;
    let prevTerm = view.termAt(first.index - 1);
    for (const e of rd.entries) {
      const key = `${e.index}:${e.term}`;
      const hash = entryHash(e);
      const known = this.entries.get(key);
      if (known === undefined) this.entries.set(key, { hash, prevTerm });
      else if (known.hash !== hash) {
        throw new InvariantViolation('Log Matching', `two different entries at index ${e.index} term ${e.term} (${node.id})`);
      } else if (known.prevTerm !== undefined && prevTerm !== undefined && known.prevTerm !== prevTerm) {
        throw new InvariantViolation(
          'Log Matching',
          `entry ${e.index}/${e.term} follows term ${prevTerm} on ${node.id} but term ${known.prevTerm} elsewhere`,
        );
      }
      prevTerm = e.term;
    }
  }

  private checkCommit(node: SimNode, before: NodeBefore): void {
    const c0 = before.hardState.commit;
    const c1 = node.hardState.commit;
    if (c1 < c0) throw new InvariantViolation('Commit Monotonic', `${node.id} commit went from ${c0} to ${c1}`);
    if (c1 === c0) return;
    const view = node.store.view;
    if (c1 > view.lastIndex) throw new InvariantViolation('Commit Bound', `${node.id} commit ${c1} past its last index ${view.lastIndex}`);
    if (node.role === 'leader' && view.termAt(c1) !== undefined && view.termAt(c1) !== node.hardState.term) {
      throw new InvariantViolation(
        'Leader Commit Rule (§5.4.2)',
        `leader ${node.id} of term ${node.hardState.term} advanced commit to ${c1}, an entry of term ${view.termAt(c1)}`,
      );
    }
    for (let i = c0 + 1; i <= c1; i++) {
      const e = view.entryAt(i);
      if (e === undefined) continue;
      const hash = entryHash(e);
      const known = this.committed[i - 1];
      if (known !== undefined) {
        if (known.term !== e.term || known.hash !== hash) {
          throw new InvariantViolation(
            'State Machine Safety',
            `${node.id} committed ${i}/${e.term} but ${i}/${known.term} was committed before`,
          );
        }
        continue;
      }
      this.checkDurableQuorum(node, e);
      const record = { term: e.term, hash, inTerm: node.hardState.term };
      this.committed[i - 1] = record;
      for (const n of this.nodes()) {
        if (n.up && n.role === 'leader' && n.hardState.term > record.inTerm) this.checkLeaderHas(n, i, record);
      }
    }
  }

  private checkDurableQuorum(node: SimNode, e: Entry): void {
    const conf = node.conf;
    for (const voters of [conf.voters, conf.votersOutgoing]) {
      if (voters.length === 0) continue;
      let have = 0;
      for (const n of this.nodes()) {
        if (!voters.includes(n.id)) continue;
        const d = n.store.durable;
        if (d.offset >= e.index || d.termAt(e.index) === e.term) have++;
      }
      if (have * 2 <= voters.length) {
        throw new InvariantViolation(
          'Commit Durability (§5.3)',
          `${node.id} committed ${e.index}/${e.term} while only ${have} of ${voters.length} voters hold it durably`,
        );
      }
    }
  }

  private checkElected(node: SimNode): void {
    const term = node.hardState.term;
    const granted = this.votes.get(`${term}:${node.id}`) ?? new Set<NodeId>();
    const conf = node.conf;
    for (const voters of [conf.voters, conf.votersOutgoing]) {
      if (voters.length === 0) continue;
      const have = voters.filter((id) => granted.has(id)).length;
      if (have * 2 <= voters.length) {
        throw new InvariantViolation(
          'Election Safety',
          `${node.id} became leader of term ${term} with votes from ${[...granted].sort().join(', ') || 'nobody'} only (${voters.length} voters)`,
        );
      }
    }
  }

  private checkLeaderComplete(node: SimNode): void {
    const term = node.hardState.term;
    this.committed.forEach((record, k) => {
      if (record.inTerm < term) this.checkLeaderHas(node, k + 1, record);
    });
  }

  private checkLeaderHas(node: SimNode, index: number, record: Committed): void {
    const view = node.store.view;
    if (index < view.offset) return;
    if (view.termAt(index) !== record.term) {
      throw new InvariantViolation(
        'Leader Completeness',
        `${node.id} leads term ${node.hardState.term} without entry ${index}/${record.term}, committed in term ${record.inTerm}`,
      );
    }
  }

  onApply(node: SimNode, entry: Entry): void {
    if (entry.index !== node.applied + 1) {
      throw new InvariantViolation('Apply Order', `${node.id} applied ${entry.index} after ${node.applied}`);
    }
    if (entry.index > node.hardState.commit) {
      throw new InvariantViolation('Apply Committed Only', `${node.id} applied ${entry.index} with commit ${node.hardState.commit}`);
    }
    const hash = entryHash(entry);
    const known = this.committed[entry.index - 1];
    if (known !== undefined && (known.term !== entry.term || known.hash !== hash)) {
      throw new InvariantViolation(
        'State Machine Safety',
        `${node.id} applied ${entry.index}/${entry.term}, but ${entry.index}/${known.term} is the committed entry`,
      );
    }
    const applied = this.appliedHash[entry.index - 1];
    if (applied === undefined) this.appliedHash[entry.index - 1] = hash;
    else if (applied !== hash) {
      throw new InvariantViolation('State Machine Safety', `${node.id} applied a different entry at ${entry.index} than another node`);
    }
  }

  onRestoreSnapshot(node: SimNode, snapshot: Snapshot, appliedBefore: number): void {
    if (snapshot.meta.index < appliedBefore) {
      throw new InvariantViolation(
        'Applied Never Rolled Back',
        `${node.id} restored a snapshot at ${snapshot.meta.index} after applying up to ${appliedBefore}`,
      );
    }
    const known = this.committed[snapshot.meta.index - 1];
    if (known !== undefined && known.term !== snapshot.meta.term) {
      throw new InvariantViolation('State Machine Safety', `${node.id} restored a snapshot at ${snapshot.meta.index}/${snapshot.meta.term} over committed term ${known.term}`);
    }
  }

  /** After a restart: the core must not forget the commit index it had made durable. */
  onRestart(node: SimNode, durableCommit: number): void {
    const commit = node.core?.status().commit ?? 0;
    if (commit < durableCommit) {
      throw new InvariantViolation('Commit Monotonic', `${node.id} restarted with commit ${commit} below its durable commit ${durableCommit}`);
    }
  }
}
