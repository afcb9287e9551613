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
 * - Apply: in index order, only committed entries, never rolled back; no two nodes apply
 *   different commands at one index.
 * - At Most Once: no command reaches a state machine twice (retries, duplicated messages,
 *   forwarded proposals), and a command whose caller was told it definitely failed is never
 *   applied anywhere.
 * - Read Freshness: a read the core confirms (ReadIndex by a heartbeat round or by the leader's
 *   lease) is served at an index at least as high as anything committed anywhere when the node
 *   asked for it — the property a stale leader's lease read breaks (§6.4).
 *
 * The checks see each node through the simulator's seams (its core's Readys, its state
 * machine's applies, its disk); a check never throws into the node's own code: the first
 * violation is kept and raised by the simulation after the step.
 */
import type { ConfState, Entry, NodeId, Ready } from '@webraft/core';
import type { SimCommand } from './machine.ts';
import type { LogImage } from './store.ts';
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

function entryHash(entry: Entry): number {
  let h = 0x811c9dc5 ^ entry.term;
  h = Math.imul(h ^ entry.type.length, 0x01000193);
  const data = entry.data;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
  return h >>> 0;
}

export class Invariants {
  private readonly leaders = new Map<number, NodeId>();
  private readonly committed: Committed[] = [];
  private readonly entries = new Map<string, { hash: number; prevTerm: number | undefined }>();
  /** index → the commands applied at it, in order (a batch entry carries several). */
  private readonly appliedAt = new Map<number, string[]>();
  /** Per node: where in the current index's command list its next apply falls. */
  private readonly applyCursor = new Map<NodeId, { index: number; position: number }>();
  /** Commands applied somewhere, and commands whose caller was told they definitely failed. */
  private readonly appliedOps = new Set<string>();
  private readonly failedOps = new Set<string>();

  /** Per node: read contexts it asked its core to confirm → the highest commit anywhere then. */
  private readonly reads = new Map<NodeId, Map<string, number>>();

  constructor(private readonly nodes: () => readonly SimNode[]) {}

  /** Highest index known committed anywhere. */
  get commitIndex(): number {
    return this.committed.length;
  }

  /** The term a node currently leads in, if it is a leader that has committed an entry of its term. */
  committedInTerm(node: SimNode): boolean {
    const c = node.hardState.commit;
    return node.role === 'leader' && c > 0 && node.log.termAt(c) === node.hardState.term;
  }

  afterReady(node: SimNode, rd: Ready, before: NodeBefore): void {
    this.checkAppend(node, rd, before);
    const term = node.hardState.term;
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
    if (rd.readStates.length > 0) this.checkReads(node, rd);
  }

  onReadRequested(node: SimNode, context: Uint8Array): void {
    let asked = this.reads.get(node.id);
    if (asked === undefined) this.reads.set(node.id, (asked = new Map()));
    const key = contextKey(context);
    if (!asked.has(key)) asked.set(key, this.commitIndex);
  }

  private checkReads(node: SimNode, rd: Ready): void {
    const asked = this.reads.get(node.id);
    for (const rs of rd.readStates) {
      const key = contextKey(rs.context);
      const floor = asked?.get(key);
      if (floor === undefined) continue;
      asked?.delete(key);
      if (rs.index < floor) {
        throw new InvariantViolation(
          'Read Freshness',
          `${node.id} (${node.role}, term ${node.hardState.term}) confirmed a read at index ${rs.index}, but ${floor} was committed when it asked`,
        );
      }
    }
  }

  private checkAppend(node: SimNode, rd: Ready, before: NodeBefore): void {
    const first = rd.entries[0];
    if (first === undefined) return;
    if (before.role === 'leader' && node.role === 'leader' && before.hardState.term === node.hardState.term && first.index <= before.lastIndex) {
      throw new InvariantViolation('Leader Append-Only', `leader ${node.id} rewrote its log from index ${first.index} (last was ${before.lastIndex})`);
    }
    const view = node.log;
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
    const view = node.log;
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
    const holds = (d: LogImage): boolean => d.offset >= e.index || d.termAt(e.index) === e.term;
    const have = new Set(this.nodes().filter((n) => holds(n.store.durable) || n.store.wiped.some(holds)).map((n) => n.id));
    if (quorumUnderRecentConf(node, have)) return;
    throw new InvariantViolation(
      'Commit Durability (§5.3)',
      `${node.id} committed ${e.index}/${e.term} while only ${[...have].sort().join(', ') || 'no node'} hold it durably (voters ${node.conf.voters.join(', ')})`,
    );
  }

  private checkElected(node: SimNode): void {
    const term = node.hardState.term;
    // A vote counts once durable (a grant goes out only then, and a candidate counts its own
    // only then), and from the store the leader's configuration binds the voter to (a voter that
    // lost its state votes with another store, and may have voted in this term before).
    const stores = node.conf.stores;
    const granted = new Set<NodeId>();
    for (const voter of this.nodes()) {
      const cast = voter.store.durableVotes.some((v) => v.term === term && v.vote === node.id && (stores === undefined || stores[voter.id] === v.store));
      if (cast) granted.add(voter.id);
    }
    // Figure 2: a vote is durable before it acts — a leader's own vote included.
    if (!granted.has(node.id) && node.conf.voters.includes(node.id)) {
      throw new InvariantViolation('Election Safety', `${node.id} leads term ${term} before its own vote in that term is durable`);
    }
    if (quorumUnderRecentConf(node, granted)) return;
    throw new InvariantViolation(
      'Election Safety',
      `${node.id} became leader of term ${term} with votes from ${[...granted].sort().join(', ') || 'nobody'} only (voters ${node.conf.voters.join(', ')})`,
    );
  }

  private checkLeaderComplete(node: SimNode): void {
    const term = node.hardState.term;
    this.committed.forEach((record, k) => {
      if (record.inTerm < term) this.checkLeaderHas(node, k + 1, record);
    });
  }

  private checkLeaderHas(node: SimNode, index: number, record: Committed): void {
    const view = node.log;
    const term = view.termAt(index);
    // Compacted away: the snapshot covering it came from a committed state.
    if (term === undefined && index <= view.offset) return;
    if (term !== record.term) {
      throw new InvariantViolation(
        'Leader Completeness',
        `${node.id} leads term ${node.hardState.term} without entry ${index}/${record.term}, committed in term ${record.inTerm}`,
      );
    }
  }

  /** The node's state machine applies `command` at `index` (`duplicate`: it applied it before). */
  onApply(node: SimNode, index: number, command: SimCommand, duplicate: boolean): void {
    if (duplicate) {
      throw new InvariantViolation('At Most Once', `${node.id} applied ${command.id} a second time, at index ${index}`);
    }
    if (this.failedOps.has(command.id)) {
      throw new InvariantViolation('Definite Failure', `${node.id} applied ${command.id} at ${index}, but its caller was told it definitely failed`);
    }
    if (index < node.lastApplied) {
      throw new InvariantViolation('Apply Order', `${node.id} applied a command at ${index} after one at ${node.lastApplied}`);
    }
    if (index > node.hardState.commit) {
      throw new InvariantViolation('Apply Committed Only', `${node.id} applied ${index} with commit ${node.hardState.commit}`);
    }
    const known = this.committed[index - 1];
    const entry = node.log.entryAt(index);
    if (known !== undefined && entry !== undefined && (known.term !== entry.term || known.hash !== entryHash(entry))) {
      throw new InvariantViolation('State Machine Safety', `${node.id} applied ${index}/${entry.term}, but ${index}/${known.term} is the committed entry`);
    }
    let cursor = this.applyCursor.get(node.id);
    if (cursor === undefined || cursor.index !== index) this.applyCursor.set(node.id, (cursor = { index, position: 0 }));
    let ops = this.appliedAt.get(index);
    if (ops === undefined) this.appliedAt.set(index, (ops = []));
    const expected = ops[cursor.position];
    if (expected === undefined) ops.push(command.id);
    else if (expected !== command.id) {
      throw new InvariantViolation('State Machine Safety', `${node.id} applied ${command.id} at ${index} where another node applied ${expected}`);
    }
    cursor.position++;
    this.appliedOps.add(command.id);
  }

  /** A snapshot replaced a node's state: it must hold every command the node had applied. */
  onRestore(node: SimNode, before: ReadonlySet<string>, after: ReadonlySet<string>): void {
    this.applyCursor.delete(node.id);
    for (const op of before) {
      if (!after.has(op)) throw new InvariantViolation('Applied Never Rolled Back', `${node.id} restored a snapshot without ${op}, which it had applied`);
    }
  }

  /** A client was told `opId` definitely failed: it must not have been applied, and never will be. */
  definitelyFailed(opId: string): void {
    if (this.appliedOps.has(opId)) throw new InvariantViolation('Definite Failure', `${opId} was applied, but its caller was told it definitely failed`);
    this.failedOps.add(opId);
  }

  /** After a restart: the core must not forget the commit index it had made durable. */
  onRestart(node: SimNode, durableCommit: number): void {
    this.applyCursor.delete(node.id);
    this.reads.delete(node.id);
    const commit = node.raft?.status().commit ?? 0;
    if (commit < durableCommit) {
      throw new InvariantViolation('Commit Monotonic', `${node.id} restarted with commit ${commit} below its durable commit ${durableCommit}`);
    }
  }
}

/**
 * Whether `ids` hold a majority of every half of the node's configuration — the one in effect
 * now, or the one before the latest change (a configuration takes effect when applied, which
 * may happen between a decision and the Ready that reports it).
 */
function quorumUnderRecentConf(node: SimNode, ids: ReadonlySet<NodeId>): boolean {
  const quorum = (conf: ConfState): boolean =>
    [conf.voters, conf.votersOutgoing].every((voters) => voters.length === 0 || voters.filter((id) => ids.has(id)).length * 2 > voters.length);
  return quorum(node.conf) || (node.previousConf !== undefined && quorum(node.previousConf));
}

function contextKey(context: Uint8Array): string {
  let key = '';
  for (let i = 0; i < context.length; i++) key += String.fromCharCode(context[i] as number);
  return key;
}
