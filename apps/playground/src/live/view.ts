/** Draws the live cluster, the node table, the to-do list and the event log from a LiveTab. */
import { messagePoint, ringLayout } from '../teach/model/interpolate.ts';
import { messageColor, roleColor, termColor } from '../teach/view/colors.ts';
import type { SlotView } from './cluster-model.ts';
import type { LiveEvent } from './protocol.ts';
import type { LiveTab } from './tab.ts';
import type { Todo } from './todo.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const up = (s: string) => s.toUpperCase();
const radius = 34;
const roleName = (role: string) => (role === 'preCandidate' ? 'pre-candidate' : role);
/** Log cells per row in the node table; older entries are summarised. */
const tailCells = 10;

function fill(slot: SlotView): string {
  if (slot.state !== 'running' || slot.report === undefined) return '#c9ced6';
  return roleColor[slot.report.role as keyof typeof roleColor] ?? '#7f9cc4';
}

export function drawLiveCluster(tab: LiveTab, now: number): string {
  const slots = tab.model.view(now);
  const pos = ringLayout(slots.map((s) => s.id), { x: 210, y: 150 }, 100);
  const parts: string[] = [];
  for (let i = 0; i < slots.length; i++) {
    for (let j = i + 1; j < slots.length; j++) {
      const a = pos.get(slots[i]!.id)!;
      const b = pos.get(slots[j]!.id)!;
      const cut = slots[i]!.report?.isolated === true || slots[j]!.report?.isolated === true;
      parts.push(`<line class="lline${cut ? ' cut' : ''}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"/>`);
    }
  }
  for (const slot of slots) {
    const p = pos.get(slot.id)!;
    const r = slot.report;
    const running = slot.state === 'running' && r !== undefined;
    const sub = running ? `term ${r.term}` : slot.state === 'empty' ? 'no tab' : slot.state;
    const below = running ? `${roleName(r.role)}${r.isolated ? ' · isolated' : ''}` : slot.state === 'empty' ? 'open another tab' : '';
    const me = slot.id === tab.slot ? ' me' : '';
    parts.push(
      `<g class="slot ${slot.state}${me}" data-slot="${slot.id}" data-state="${slot.state}" data-role="${running ? r.role : ''}" data-term="${running ? r.term : ''}" transform="translate(${p.x} ${p.y})">` +
        `<circle r="${radius}" class="body" fill="${fill(slot)}"/>` +
        `<text y="-5" class="name">${up(slot.id)}</text><text y="13" class="sub">${esc(sub)}</text>` +
        `<text y="${radius + 18}" class="below">${esc(below)}${me ? ' (this tab)' : ''}</text></g>`,
    );
  }
  for (const { message, progress } of tab.model.flying(now)) {
    const from = pos.get(message.from);
    const to = pos.get(message.to);
    if (from === undefined || to === undefined) continue;
    const at = messagePoint(from, to, progress, radius);
    const response = message.type.endsWith('Resp');
    const color = messageColor(message.type);
    parts.push(`<circle cx="${at.x.toFixed(1)}" cy="${at.y.toFixed(1)}" r="5" fill="${response ? '#fff' : color}" stroke="${color}" stroke-width="2.5"/>`);
  }
  return parts.join('');
}

export function drawNodeTable(tab: LiveTab, now: number): string {
  const rows = tab.model.view(now).map((slot) => {
    const r = slot.report;
    if (slot.state !== 'running' || r === undefined) {
      return `<tr data-slot="${slot.id}"><td><b>${up(slot.id)}</b></td><td colspan="7">${slot.state === 'empty' ? 'no tab has this slot yet' : slot.state}</td></tr>`;
    }
    const shownTail = r.tail.slice(-tailCells);
    const older = shownTail.length > 0 && shownTail[0]!.index > r.firstIndex ? '<span class="more">…</span>' : '';
    const tail = older + shownTail
      .map((e) => `<span class="e${e.index <= r.commit ? ' c' : ''}" style="background:${termColor(e.term)}" title="${e.index}: ${esc(e.label)} (term ${e.term})">${e.index}</span>`)
      .join('');
    return (
      `<tr data-slot="${slot.id}"><td><b>${up(slot.id)}</b>${slot.id === tab.slot ? ' (me)' : ''}</td><td>${roleName(r.role)}${r.isolated ? ' · isolated' : ''}</td>` +
      `<td>${r.term}</td><td>${r.vote === '' ? '—' : up(r.vote)}</td><td>${r.lead === '' ? '—' : up(r.lead)}</td>` +
      `<td>${r.commit}</td><td>${r.applied}</td><td class="tail">${tail}</td></tr>`
    );
  });
  return `<table class="nodes"><thead><tr><th>node</th><th>role</th><th>term</th><th>vote</th><th>leader</th><th>commit</th><th>applied</th><th>log tail (solid = committed)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function drawTodos(items: readonly Todo[]): string {
  if (items.length === 0) return '<li class="hint">Nothing yet. Anything you add is replicated through Raft to every tab.</li>';
  return items
    .map(
      (t) =>
        `<li data-id="${esc(t.id)}" class="${t.done ? 'done' : ''}"><input type="checkbox" ${t.done ? 'checked' : ''} data-toggle="${esc(t.id)}" aria-label="Done: ${esc(t.text)}"/>` +
        `<span class="text">${esc(t.text)}</span><span class="by">${t.by === '' ? '' : `via ${up(t.by)}`}</span>` +
        `<button data-remove="${esc(t.id)}" title="Remove" aria-label="Remove: ${esc(t.text)}"><span aria-hidden="true">✕</span></button></li>`,
    )
    .join('');
}

export function drawEvents(events: readonly LiveEvent[]): string {
  return [...events]
    .sort((a, b) => b.time - a.time)
    .slice(0, 100)
    .map((e) => `<li><time>${new Date(e.time).toISOString().slice(11, 23)}</time><b>${up(e.node)}</b> ${esc(e.text)}</li>`)
    .join('');
}
