/**
 * Raft's safety properties (Figure 3 of the paper), checked across the whole simulated
 * cluster after every scenario command. A violation is printed in the command's output, so
 * a script whose expected output has none fails the moment one appears.
 */
import type { Entry } from '../../src/raft/types.ts';
import type { SimNode } from './sim-node.ts';

export class InvariantChecker {
  /** term → the one node seen leading it (Election Safety). */
  private readonly leaders = new Map<number, string>();
  private readonly reported = new Set<string>();
  /** `node ctx` → the highest index known committed when that read was asked. */
  private readonly reads = new Map<string, number>();

  /**
   * A read is asked on `node`: anything committed anywhere by now (or ever applied) may have
   * been acknowledged to a client, so the read's index must not be below it (linearizability,
   * thesis §6.4).
   */
  readAsked(node: string, context: string, nodes: Iterable<SimNode>): void {
    let committed = 0;
    for (const n of nodes) {
      const known = n.up ? n.mustCore().status().commit : (n.store.hardState?.commit ?? 0);
      committed = Math.max(committed, known, ...n.appliedHistory.keys());
    }
    this.reads.set(`${node} ${context}`, committed);
  }

  /** A read state came out of `node`'s Ready. */
  readAnswered(node: string, context: string, index: number): string[] {
    const floor = this.reads.get(`${node} ${context}`);
    if (floor === undefined || index >= floor) return [];
    return [`VIOLATION: stale read: ${node} answered read ${context} at index ${index}, but ${floor} was committed before it was asked`];
  }

  check(nodes: Iterable<SimNode>): string[] {
    const list = [...nodes];
    const found = [...this.electionSafety(list), ...this.logMatching(list), ...this.stateMachineSafety(list)];
    // Report each violation once, when it first appears.
    const fresh = found.filter((v) => !this.reported.has(v));
    for (const v of fresh) this.reported.add(v);
    return fresh.map((v) => `VIOLATION: ${v}`);
  }

  /** Election Safety: at most one leader can be elected in a given term. */
  private electionSafety(nodes: readonly SimNode[]): string[] {
    const out: string[] = [];
    for (const n of nodes) {
      if (!n.up) continue;
      const s = n.mustCore().status();
      if (s.role !== 'leader') continue;
      const seen = this.leaders.get(s.term);
      if (seen === undefined) this.leaders.set(s.term, s.id);
      else if (seen !== s.id) out.push(`election safety: ${seen} and ${s.id} both led term ${s.term}`);
    }
    return out;
  }

  /** Log Matching: entries with the same index and term are identical (in durable logs). */
  private logMatching(nodes: readonly SimNode[]): string[] {
    const out: string[] = [];
    const byPosition = new Map<string, { node: string; entry: Entry }>();
    for (const n of nodes) {
      for (const e of n.store.entries) {
        const key = `${e.term}/${e.index}`;
        const other = byPosition.get(key);
        if (other === undefined) byPosition.set(key, { node: n.id, entry: e });
        else if (!sameEntry(other.entry, e)) {
          out.push(`log matching: entry ${key} differs on ${other.node} and ${n.id}`);
        }
      }
    }
    return out;
  }

  /**
   * State Machine Safety: no two nodes (nor two lives of one node) apply different entries
   * at the same index.
   */
  private stateMachineSafety(nodes: readonly SimNode[]): string[] {
    const out: string[] = [];
    const byIndex = new Map<number, { node: string; entry: string }>();
    for (const n of nodes) {
      for (const [index, entry] of n.appliedHistory) {
        if (entry.includes(' | ')) {
          out.push(`state machine safety: node ${n.id} applied different entries at index ${index}: ${entry}`);
          continue;
        }
        const other = byIndex.get(index);
        if (other === undefined) byIndex.set(index, { node: n.id, entry });
        else if (other.entry !== entry) {
          out.push(`state machine safety: index ${index} applied as ${other.entry} on ${other.node}, ${entry} on ${n.id}`);
        }
      }
    }
    return out;
  }
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.type !== b.type || a.data.length !== b.data.length) return false;
  return a.data.every((byte, i) => byte === b.data[i]);
}
