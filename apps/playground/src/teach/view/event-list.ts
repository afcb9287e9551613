import type { EventView } from '../model/types.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The newest `limit` events, newest first, with their virtual time. Each line is a button
 * (`data-ev` is its position in the whole log) that shows why it happened.
 */
export function drawEventList(events: readonly EventView[], selected: number | undefined, limit = 80): string {
  const from = Math.max(0, events.length - limit);
  const lines: string[] = [];
  for (let i = events.length - 1; i >= from; i--) {
    const e = events[i]!;
    const who = e.node === undefined ? '' : `<b>${e.node.toUpperCase()}</b> `;
    lines.push(
      `<li class="ev ev-${e.kind}"><button type="button" class="ev-line${i === selected ? ' selected' : ''}" data-ev="${i}" aria-pressed="${i === selected}">` +
        `<time>${(e.time / 1000).toFixed(3)}s</time>${who}${esc(e.text)}</button></li>`,
    );
  }
  return lines.join('');
}
