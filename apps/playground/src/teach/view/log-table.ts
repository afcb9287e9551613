/**
 * Every server's log side by side, one column per index: a cell's colour is its term, a solid
 * border means committed on that server, a dashed one not yet. Entries compacted into a
 * snapshot collapse into one cell. On each follower's row the leader's view of it (§5.3):
 * matchIndex (bar under the cell) and nextIndex (arrow), and across all rows the majority
 * line: the highest index a majority of voters stores, which the leader may commit once it
 * holds an entry of its own term there (§5.4.2).
 */
import { currentLeader, lastIndex, majorityMatch } from '../model/queries.ts';
import type { Frame, NodeView, PeerProgress } from '../model/types.ts';
import { roleColor, roleLabel, termColor } from './colors.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const name = (id: string) => id.toUpperCase();

interface Columns {
  readonly first: number;
  readonly last: number;
  readonly majority: number | undefined;
}

function row(node: NodeView, cols: Columns, progress: PeerProgress | undefined): string {
  const byIndex = new Map(node.log.map((e) => [e.index, e]));
  const cells: string[] = [];
  const marks = (index: number) => {
    const classes: string[] = [];
    const notes: string[] = [];
    if (progress?.match === index) {
      classes.push('match');
      notes.push(`the leader's matchIndex for ${name(node.id)}`);
    }
    if (progress?.next === index) {
      classes.push('next');
      notes.push(`the leader's nextIndex for ${name(node.id)}`);
    }
    if (cols.majority === index) classes.push('majority');
    return { cls: classes.map((c) => ` ${c}`).join(''), note: notes.length === 0 ? '' : ` — ${notes.join(', ')}` };
  };
  let index = cols.first;
  const compacted = Math.min(node.snapshotIndex, cols.last);
  if (compacted >= index) {
    const span = compacted - index + 1;
    const range = index === 1 ? `1–${compacted}` : `…${compacted}`;
    cells.push(`<td class="cell snap" colspan="${span}" title="entries up to ${compacted} are in ${name(node.id)}'s snapshot">snapshot ${range}</td>`);
    index = compacted + 1;
  }
  for (; index <= cols.last; index++) {
    const entry = byIndex.get(index);
    const { cls, note } = marks(index);
    if (entry === undefined) {
      cells.push(`<td class="cell empty${cls}"${note === '' ? '' : ` title="index ${index}${esc(note)}"`}></td>`);
      continue;
    }
    const committed = index <= node.commit ? ' committed' : '';
    const title = `index ${index}, term ${entry.term}: ${entry.label}${committed ? ' (committed)' : ' (not committed)'}${note}`;
    cells.push(
      `<td class="cell ${entry.type}${committed}${cls}" style="background:${termColor(entry.term)}" title="${esc(title)}" data-index="${index}">` +
        `<span class="t">${entry.term}</span><span class="l">${esc(entry.label)}</span></td>`,
    );
  }
  const dot = `<span class="dot" style="background:${roleColor[node.role]}"></span>`;
  const view = progress === undefined ? '' : `<small class="peer">match ${progress.match} · next ${progress.next}</small>`;
  return (
    `<tr data-node="${node.id}" class="${node.member ? '' : 'outsider'}"><th scope="row">${dot}${name(node.id)} <span class="role">${roleLabel[node.role]}</span>` +
    `<small>commit ${node.commit} · applied ${node.applied}</small>${view}</th>${cells.join('')}</tr>`
  );
}

export function drawLogTable(frame: Frame): string {
  let last = 0;
  let first = Infinity;
  for (const node of frame.nodes) {
    last = Math.max(last, lastIndex(node));
    first = Math.min(first, node.snapshotIndex > 0 ? node.snapshotIndex : 1);
  }
  if (!Number.isFinite(first)) first = 1;
  const leader = currentLeader(frame);
  const progress = leader?.progress ?? {};
  for (const p of Object.values(progress)) last = Math.max(last, p.next);
  // One spare column, where the next entry will go.
  const end = Math.max(last + 1, first + 7);
  const start = Math.max(first, end - 23);
  const majority = leader === undefined ? undefined : majorityMatch(frame, leader);
  const cols: Columns = { first: start, last: end, majority };
  const header: string[] = [];
  for (let i = start; i <= end; i++) header.push(`<th scope="col" class="idx${i === majority ? ' majority' : ''}">${i}</th>`);
  const rows = frame.nodes.map((n) => row(n, cols, n.id === leader?.id ? undefined : progress[n.id]));
  const caption =
    leader === undefined
      ? 'Logs by index. No leader right now.'
      : `Logs by index. Leader ${name(leader.id)}'s view: matchIndex and nextIndex per follower; a majority stores up to index ${majority ?? 0}.`;
  return `<table class="logs"><caption>${caption}</caption><thead><tr><th scope="col">server</th>${header.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
