/** Draws the live page from a LiveTab: this tab's line, the tabs of the store, the to-do list and the event log. */
import type { TabStoreStatus } from '@webraft/store';
import { ringLayout } from '../teach/model/interpolate.ts';
import { ink, roleColor } from '../teach/view/colors.ts';
import type { LiveEvent, LiveTab, PendingWrite } from './live-tab.ts';
import { leaderRow, shortTab, type TabRow, type TabState } from './tabs-model.ts';
import type { Todos } from './todo.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const radius = 30;

/** Light fills under dark text (WCAG AA), the teaching page's colours for the same roles. */
const stateColor: Record<TabState, string> = {
  leader: roleColor.leader,
  voter: roleColor.follower,
  learner: '#d9c8f0',
  starting: roleColor.down,
};

const slotsText = (slots: readonly number[]) => slots.map((s) => `s${s}`).join(' ');

function stateText(row: TabRow): string {
  const what = row.state === 'leader' ? 'leader' : row.state === 'voter' ? 'voter' : row.state === 'learner' ? 'learner' : 'starting…';
  const marks = [row.report?.isolated ? 'isolated' : '', row.silent && row.report !== undefined ? 'silent' : '', row.report?.visible === false ? 'hidden' : ''].filter((m) => m !== '');
  return marks.length === 0 ? what : `${what} · ${marks.join(' · ')}`;
}

export function drawTabs(tab: LiveTab, now: number): string {
  const rows = tab.rows(now);
  const pos = ringLayout(rows.map((r) => r.tab), { x: 210, y: 150 }, rows.length <= 1 ? 0 : Math.min(115, 40 + rows.length * 12));
  const parts: string[] = [];
  const leader = leaderRow(rows);
  for (const row of rows) {
    if (leader === undefined || row === leader) continue;
    const a = pos.get(leader.tab)!;
    const b = pos.get(row.tab)!;
    const cut = row.report?.isolated === true || leader.report?.isolated === true;
    parts.push(`<line class="lline${cut ? ' cut' : ''}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"/>`);
  }
  for (const row of rows) {
    const p = pos.get(row.tab)!;
    const inside = row.slots.length > 0 ? slotsText(row.slots) : row.state === 'learner' ? 'learner' : '…';
    const term = row.report === undefined ? '' : `term ${row.report.term}`;
    parts.push(
      `<g class="tab ${row.state}${row.me ? ' me' : ''}${row.silent ? ' silent' : ''}" data-tab="${esc(row.tab)}" data-role="${row.state}" data-term="${row.report?.term ?? ''}" transform="translate(${p.x} ${p.y})">` +
        `<title>${esc(`tab ${row.tab}: ${stateText(row)}`)}</title>` +
        `<circle r="${radius}" class="body" fill="${stateColor[row.state]}"/>` +
        `<text y="-4" class="name" fill="${ink}">${esc(inside)}</text><text y="12" class="sub" fill="${ink}">${esc(term)}</text>` +
        `<text y="${radius + 16}" class="below">${esc(`${shortTab(row.tab)}${row.me ? ' (this tab)' : ''}`)}</text>` +
        `<text y="${radius + 30}" class="below2">${esc(stateText(row))}</text></g>`,
    );
  }
  return parts.join('');
}

export function drawTabTable(tab: LiveTab, now: number): string {
  const rows = tab.rows(now).map((row) => {
    const r = row.report;
    const cells = r === undefined ? '<td colspan="5">not heard from yet</td>' : `<td>${r.term}</td><td>${r.commit}</td><td>${r.seq}</td><td>${r.pendingWrites}</td><td>${r.connected ? 'yes' : 'no'}</td>`;
    return (
      `<tr data-tab="${esc(row.tab)}"><td><b>${esc(shortTab(row.tab))}</b>${row.me ? ' (this tab)' : ''}</td><td>${esc(stateText(row))}</td>` +
      `<td>${row.slots.length > 0 ? slotsText(row.slots) : '—'}</td>${cells}</tr>`
    );
  });
  return (
    '<table class="tabs"><caption>Open tabs, as each reports itself. A voter slot is a Raft voter with its own IndexedDB log: it moves to another tab with its log when its tab closes.</caption>' +
    '<thead><tr><th scope="col">tab</th><th scope="col">role</th><th scope="col">voter slots</th><th scope="col">term</th><th scope="col">commit</th><th scope="col">applied commands</th><th scope="col">pending writes</th><th scope="col">knows a leader</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** This tab in one line: what it runs, who leads, and what its writes are waiting for. */
export function drawMe(tab: LiveTab, status: TabStoreStatus | undefined, now: number): string {
  if (status === undefined || status.role === 'starting') return 'This tab is starting: opening the shared list…';
  const leader = leaderRow(tab.rows(now));
  const role =
    status.role === 'voter'
      ? `runs voter slot${status.slots.length > 1 ? 's' : ''} <b>${slotsText(status.slots)}</b>`
      : status.role === 'learner'
        ? `follows as a <b>learner</b> (every voter slot runs in another tab; it gets every change but does not vote)`
        : `is <b>${esc(status.role)}</b>`;
  const leads =
    leader === undefined ? 'no tab leads right now' : leader.me ? 'this tab leads' : `tab <b>${esc(shortTab(leader.tab))}</b> leads`;
  const term = leader?.report === undefined ? '' : `, term ${leader.report.term}`;
  const waiting = tab.pending.filter((w) => w.state === 'pending').length;
  const reach = status.connected ? '' : ` <span class="badge warn">no leader in reach: writes wait${waiting > 0 ? ` (${waiting})` : ''}</span>`;
  const isolated = tab.isolated ? ' <span class="badge cut">isolated</span>' : '';
  return `This tab ${role}; ${leads}${term}.${reach}${isolated}`;
}

const describe = (command: PendingWrite['command']): string =>
  command.op === 'add' ? command.text : command.op === 'clearDone' ? 'clear done items' : command.op === 'edit' ? `edit: ${command.text}` : `${command.op} an item`;

export function drawTodos(items: Todos, pending: readonly PendingWrite[]): string {
  const rows = items.map(
    (t) =>
      `<li data-id="${esc(t.id)}" class="${t.done ? 'done' : ''}"><input type="checkbox" ${t.done ? 'checked' : ''} data-toggle="${esc(t.id)}" aria-label="Done: ${esc(t.text)}"/>` +
      `<span class="text">${esc(t.text)}</span><span class="by">${t.by === '' ? '' : `via ${esc(t.by)}`}</span>` +
      `<button data-remove="${esc(t.id)}" title="Remove" aria-label="Remove: ${esc(t.text)}"><span aria-hidden="true">✕</span></button></li>`,
  );
  for (const w of pending) {
    const note =
      w.state === 'pending' ? 'saving… waiting for the leader' : w.state === 'unknown' ? `no answer yet: it may still be saved (${esc(w.error ?? '')})` : `not saved (${esc(w.error ?? 'refused')})`;
    rows.push(
      `<li class="write ${w.state}" data-state="${w.state}" data-key="${w.key}"><span class="text">${esc(describe(w.command))}</span><span class="note">${note}</span>` +
        (w.state === 'pending' ? '' : `<button data-dismiss="${w.key}" title="Dismiss" aria-label="Dismiss: ${esc(describe(w.command))}"><span aria-hidden="true">✕</span></button>`) +
        '</li>',
    );
  }
  if (rows.length === 0) return '<li class="hint">Nothing yet. Anything you add is replicated through Raft to every tab.</li>';
  return rows.join('');
}

export function drawEvents(events: readonly LiveEvent[]): string {
  return [...events]
    .reverse()
    .slice(0, 100)
    .map((e) => `<li><time>${new Date(e.time).toISOString().slice(11, 23)}</time>${esc(e.text)}</li>`)
    .join('');
}
