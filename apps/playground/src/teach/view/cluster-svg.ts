/**
 * Draws one frame of the cluster as SVG markup: nodes on a ring with role, term, vote and
 * election-timer arc; the links between them (cut ones in red); messages in flight placed
 * by interpolation at display time `t`. Reads the frame only.
 */
import { arcPath, messagePoint, messageProgress, messagesInFlight, ringLayout, timerLeft } from '../model/interpolate.ts';
import { linkKey, type Frame } from '../model/types.ts';
import { messageColor, roleColor, roleLabel } from './colors.ts';

export const viewBox = { width: 560, height: 470 };
const nodeRadius = 38;

export interface ClusterDrawOptions {
  readonly selected?: string;
  /** Every node id the run may use, so a node keeps its place when it joins or leaves. */
  readonly slots: readonly string[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const name = (id: string) => id.toUpperCase();

export function drawCluster(frame: Frame, t: number, options: ClusterDrawOptions): string {
  const center = { x: viewBox.width / 2, y: viewBox.height / 2 - 4 };
  const positions = ringLayout(options.slots, center, Math.min(center.x, center.y) - nodeRadius - 52);
  const visible = frame.nodes.filter((n) => n.member || n.role !== 'down');
  const cuts = new Set(frame.cuts);
  const parts: string[] = [];

  for (let i = 0; i < visible.length; i++) {
    for (let j = i + 1; j < visible.length; j++) {
      const a = visible[i]!;
      const b = visible[j]!;
      const pa = positions.get(a.id)!;
      const pb = positions.get(b.id)!;
      const key = linkKey(a.id, b.id);
      const cut = cuts.has(key);
      parts.push(
        `<g class="link${cut ? ' cut' : ''}" data-link="${key}"><title>${cut ? 'heal' : 'cut'} link ${name(a.id)}–${name(b.id)}</title>` +
          `<line x1="${pa.x}" y1="${pa.y}" x2="${pb.x}" y2="${pb.y}" class="link-hit"/>` +
          `<line x1="${pa.x}" y1="${pa.y}" x2="${pb.x}" y2="${pb.y}" class="link-line"/>` +
          (cut ? `<text x="${(pa.x + pb.x) / 2}" y="${(pa.y + pb.y) / 2 + 5}" class="cut-mark">✂</text>` : '') +
          '</g>',
      );
    }
  }

  for (const node of frame.nodes) {
    const p = positions.get(node.id);
    if (p === undefined) continue;
    const selected = options.selected === node.id ? ' selected' : '';
    const outsider = node.member ? '' : ' outsider';
    const left = timerLeft(node, t);
    const vote = node.role === 'down' ? '' : node.vote === '' ? 'no vote' : node.vote === node.id ? 'voted self' : `voted ${name(node.vote)}`;
    parts.push(
      `<g class="node role-${node.role}${selected}${outsider}" data-node="${node.id}" data-role="${node.role}" data-term="${node.term}" data-member="${node.member}" transform="translate(${p.x} ${p.y})">` +
        `<title>${name(node.id)}: ${roleLabel[node.role]}, term ${node.term}, ${vote}, commit ${node.commit}</title>` +
        `<circle r="${nodeRadius + 7}" class="timer-track"/>` +
        (left === undefined ? '' : `<path d="${arcPath({ x: 0, y: 0 }, nodeRadius + 7, left)}" class="timer-arc"/>`) +
        `<circle r="${nodeRadius}" fill="${roleColor[node.role]}" class="body"/>` +
        `<text y="-8" class="node-name">${name(node.id)}</text>` +
        `<text y="12" class="node-term">term ${node.term}</text>` +
        `<text y="${nodeRadius + 24}" class="node-role">${roleLabel[node.role]}${node.learner ? ' (learner)' : ''}${node.member ? '' : ' · removed'}</text>` +
        (vote === '' ? '' : `<text y="${nodeRadius + 38}" class="node-vote">${vote}</text>`) +
        '</g>',
    );
  }

  for (const m of messagesInFlight(frame, t)) {
    const from = positions.get(m.from);
    const to = positions.get(m.to);
    if (from === undefined || to === undefined) continue;
    const at = messagePoint(from, to, messageProgress(m, t), nodeRadius);
    const color = messageColor(m.type);
    const fill = m.response ? '#fff' : color;
    const stroke = m.response && m.ok === false ? '#d0342c' : color;
    const r = m.type === 'heartbeat' || m.type === 'heartbeatResp' ? 6 : 9;
    parts.push(
      `<g class="message" data-msg="${m.id}" transform="translate(${at.x.toFixed(1)} ${at.y.toFixed(1)})">` +
        `<title>#${m.id} ${esc(m.summary)} (click to drop)</title>` +
        `<circle r="${r}" fill="${fill}" stroke="${stroke}" stroke-width="3"/></g>`,
    );
  }
  return parts.join('');
}
