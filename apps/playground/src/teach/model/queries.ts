/** Questions about a frame that scenarios, panels and tests ask. */
import type { NodeId } from '@webraft/core';
import type { Frame, NodeView } from './types.ts';

/** The leader of the highest term among live nodes, if any. */
export function currentLeader(frame: Frame): NodeView | undefined {
  let best: NodeView | undefined;
  for (const n of frame.nodes) if (n.role === 'leader' && (best === undefined || n.term > best.term)) best = n;
  return best;
}

export function leaders(frame: Frame): NodeView[] {
  return frame.nodes.filter((n) => n.role === 'leader');
}

export function liveNodes(frame: Frame): NodeView[] {
  return frame.nodes.filter((n) => n.role !== 'down');
}

export function members(frame: Frame): NodeView[] {
  return frame.nodes.filter((n) => n.member);
}

export function nodeById(frame: Frame, id: NodeId): NodeView | undefined {
  return frame.nodes.find((n) => n.id === id);
}

/** Highest index committed by any node. */
export function maxCommit(frame: Frame): number {
  return frame.nodes.reduce((m, n) => Math.max(m, n.commit), 0);
}

/** Every live member has applied at least `index`. */
export function allApplied(frame: Frame, index: number): boolean {
  return frame.nodes.filter((n) => n.member && n.role !== 'down').every((n) => n.applied >= index);
}

/** The last index of a node's log (its snapshot index when the log is empty). */
export function lastIndex(node: NodeView): number {
  return node.log.length === 0 ? node.snapshotIndex : node.log[node.log.length - 1]!.index;
}

/** Every live member holds the same log up to the highest commit (terms match index by index). */
export function logsAgree(frame: Frame): boolean {
  const live = frame.nodes.filter((n) => n.member && n.role !== 'down');
  const reference = live[0];
  if (reference === undefined) return true;
  const key = (n: NodeView) => n.log.map((e) => `${e.index}:${e.term}`).join(',');
  return live.every((n) => key(n) === key(reference) && n.commit === reference.commit);
}

/**
 * The highest index stored on a majority of voters, as `leader` sees it: its own last index
 * and the matchIndex of every other voter (§5.3). The leader commits up to it once the entry
 * there is of its own term (§5.4.2).
 */
export function majorityMatch(frame: Frame, leader: NodeView): number {
  const voters = frame.nodes.filter((n) => n.member && !n.learner);
  const matches = voters.map((n) => (n.id === leader.id ? lastIndex(leader) : (leader.progress?.[n.id]?.match ?? 0))).sort((a, b) => b - a);
  return matches[Math.floor(voters.length / 2)] ?? 0;
}
