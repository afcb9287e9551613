/**
 * Every node's log side by side, one column per index: a cell's colour is its term, a solid
 * border means committed on that node, a dashed one not yet. Compacted entries collapse
 * into one "snapshot" cell.
 */
import type { Frame, NodeView } from '../model/types.ts';
import { roleColor } from './colors.ts';
import { termColor } from './colors.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function row(node: NodeView, first: number, last: number): string {
  const byIndex = new Map(node.log.map((e) => [e.index, e]));
  const cells: string[] = [];
  for (let index = first; index <= last; index++) {
    const entry = byIndex.get(index);
    if (index <= node.snapshotIndex) {
      cells.push(`<td class="cell snap" title="in ${node.id.toUpperCase()}'s snapshot">⧉</td>`);
      continue;
    }
    if (entry === undefined) {
      cells.push('<td class="cell empty"></td>');
      continue;
    }
    const committed = index <= node.commit ? ' committed' : '';
    const title = `index ${index}, term ${entry.term}: ${entry.label}${committed ? ' (committed)' : ' (not committed)'}`;
    cells.push(
      `<td class="cell ${entry.type}${committed}" style="background:${termColor(entry.term)}" title="${esc(title)}" data-index="${index}">` +
        `<span class="t">${entry.term}</span><span class="l">${esc(entry.label)}</span></td>`,
    );
  }
  const dot = `<span class="dot" style="background:${roleColor[node.role]}"></span>`;
  return (
    `<tr data-node="${node.id}" class="${node.member ? '' : 'outsider'}"><th>${dot}${node.id.toUpperCase()}` +
    `<small>commit ${node.commit} · applied ${node.applied}</small></th>${cells.join('')}</tr>`
  );
}

export function drawLogTable(frame: Frame): string {
  let last = 0;
  let first = Infinity;
  for (const node of frame.nodes) {
    for (const e of node.log) last = Math.max(last, e.index);
    last = Math.max(last, node.snapshotIndex);
    first = Math.min(first, node.snapshotIndex > 0 ? node.snapshotIndex : 1);
  }
  if (!Number.isFinite(first)) first = 1;
  const start = Math.max(first, last - 23);
  const header: string[] = [];
  for (let i = start; i <= Math.max(last, start + 7); i++) header.push(`<td class="idx">${i}</td>`);
  const rows = frame.nodes.map((n) => row(n, start, Math.max(last, start + 7)));
  return `<table class="logs"><thead><tr><th>log index →</th>${header.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
