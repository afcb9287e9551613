import type { EventView } from '../model/types.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The newest `limit` events, newest first, with their virtual time. */
export function drawEventList(events: readonly EventView[], limit = 80): string {
  const shown = events.slice(-limit).reverse();
  return shown
    .map(
      (e) =>
        `<li class="ev ev-${e.kind}"><time>${(e.time / 1000).toFixed(3)}s</time>` +
        `${e.node === undefined ? '' : `<b>${e.node.toUpperCase()}</b> `}${esc(e.text)}</li>`,
    )
    .join('');
}
