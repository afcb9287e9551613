import type { ClusterStatus } from './query.ts';
import { lagOf } from './query.ts';

/** One line per node: role, term, commit, applied and lag behind the highest commit seen. */
export function formatClusterStatus(status: ClusterStatus): string {
  const header = ['node', 'role', 'term', 'leader', 'commit', 'applied', 'lag', 'last'];
  const rows = status.nodes.map((n) => [
    n.id, n.state === 'running' ? n.role : `${n.role} (${n.state})`, String(n.term), n.leader || '-',
    String(n.commit), String(n.applied), String(lagOf(n, status.nodes)), String(n.lastIndex),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (row: string[]) => row.map((cell, i) => (i < 2 || i === 3 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [render(header), ...rows.map(render)];
  if (status.nodes.length === 0) lines.push('(no node publishes status in this room)');
  for (const id of status.silent) lines.push(`${id}: no answer`);
  return `${lines.join('\n')}\n`;
}
