/**
 * The cluster picture: servers on a ring with role, term, vote and election-timer arc; the
 * links between them (cut ones dashed red); messages in flight placed by interpolation at
 * display time `t`. Reads frames only. Elements are kept by key (server, link, message) and
 * updated in place, so a focused or hovered element survives every redraw; each one is a
 * button a keyboard reaches.
 */
import { arcPath, messagePoint, messageProgress, messagesInFlight, ringLayout, timerLeft, type Point } from '../model/interpolate.ts';
import { linkKey, type Frame, type MessageView, type NodeView } from '../model/types.ts';
import { ink, messageColor, roleColor, roleLabel } from './colors.ts';

export const viewBox = { width: 560, height: 470 };
const center: Point = { x: viewBox.width / 2, y: viewBox.height / 2 };
const ringRadius = 140;
/** Gap between a server's body and its timer arc, and the arc's width. */
const arcGap = 7;

export interface ClusterSelection {
  readonly node?: string;
  readonly message?: number;
}

export interface Geometry {
  readonly positions: Map<string, Point>;
  readonly nodeRadius: number;
}

export function geometry(slots: readonly string[]): Geometry {
  return { positions: ringLayout(slots, center, ringRadius), nodeRadius: slots.length <= 5 ? 34 : 28 };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const name = (id: string) => id.toUpperCase();
const svgNs = 'http://www.w3.org/2000/svg';

function voteText(node: NodeView): string {
  if (node.role === 'down') return '';
  return node.vote === '' ? 'no vote' : node.vote === node.id ? 'voted self' : `voted ${name(node.vote)}`;
}

export function describeNode(node: NodeView): string {
  const vote = voteText(node);
  return `${name(node.id)}: ${roleLabel[node.role]}${node.learner ? ' (learner)' : ''}${node.member ? '' : ', removed'}, term ${node.term}${vote === '' ? '' : `, ${vote}`}, commit ${node.commit}`;
}

export function describeMessageShort(m: MessageView): string {
  return `message #${m.id} from ${name(m.from)} to ${name(m.to)}: ${m.summary}`;
}

/** Labels go outside the ring, away from the centre, so neither links nor messages cross them. */
function labelPlacement(p: Point, r: number): { x: number; y: number; anchor: string } {
  const dx = p.x - center.x;
  const dy = p.y - center.y;
  const length = Math.hypot(dx, dy) || 1;
  const ux = dx / length;
  const uy = dy / length;
  const reach = r + arcGap + 10;
  const anchor = ux > 0.35 ? 'start' : ux < -0.35 ? 'end' : 'middle';
  // Above the top servers the two lines stack upwards; beside and below, downwards from the middle.
  const y = uy < -0.35 ? uy * reach - 16 : uy > 0.35 ? uy * reach + 12 : -4;
  // Text beside a server starts clear of its timer ring's whole box, also on the diagonals.
  const x = anchor === 'middle' ? 0 : Math.sign(ux) * Math.max(Math.abs(ux) * reach, r + arcGap + 4);
  return { x, y, anchor };
}

export class ClusterView {
  readonly #links: SVGGElement;
  readonly #nodes: SVGGElement;
  readonly #messages: SVGGElement;
  readonly #drawn = new Map<string, { el: SVGGElement; key: string }>();
  #geometry: Geometry = geometry([]);
  #slotsKey = '';

  constructor(private readonly svg: SVGSVGElement) {
    svg.innerHTML = '';
    this.#links = this.#layer('links');
    this.#nodes = this.#layer('nodes');
    this.#messages = this.#layer('messages');
  }

  #layer(cls: string): SVGGElement {
    const g = document.createElementNS(svgNs, 'g');
    g.setAttribute('class', cls);
    this.svg.append(g);
    return g;
  }

  /** Creates or finds the element for `id` in `layer`; `key` changes mean its content is rewritten. */
  #element(layer: SVGGElement, id: string, key: string, render: (el: SVGGElement) => void, seen: Set<string>): SVGGElement {
    seen.add(id);
    let drawn = this.#drawn.get(id);
    if (drawn === undefined) {
      const el = document.createElementNS(svgNs, 'g');
      el.setAttribute('tabindex', '0');
      el.setAttribute('role', 'button');
      layer.append(el);
      drawn = { el, key: '' };
      this.#drawn.set(id, drawn);
    }
    if (drawn.key !== key) {
      render(drawn.el);
      drawn.key = key;
    }
    return drawn.el;
  }

  draw(frame: Frame, t: number, slots: readonly string[], selection: ClusterSelection): void {
    const slotsKey = slots.join(',');
    if (slotsKey !== this.#slotsKey) {
      this.#slotsKey = slotsKey;
      this.#geometry = geometry(slots);
      for (const { el } of this.#drawn.values()) el.remove();
      this.#drawn.clear();
    }
    const { positions, nodeRadius: r } = this.#geometry;
    const seen = new Set<string>();
    const visible = frame.nodes.filter((n) => n.member || n.role !== 'down');
    const cuts = new Set(frame.cuts);
    for (let i = 0; i < visible.length; i++) {
      for (let j = i + 1; j < visible.length; j++) {
        const [a, b] = [visible[i]!, visible[j]!];
        const [pa, pb] = [positions.get(a.id)!, positions.get(b.id)!];
        const key = linkKey(a.id, b.id);
        const cut = cuts.has(key);
        this.#element(this.#links, `link:${key}`, `${cut}`, (el) => {
          el.setAttribute('class', `link${cut ? ' cut' : ''}`);
          el.dataset.link = key;
          el.setAttribute('aria-label', `${cut ? 'Heal' : 'Cut'} the link ${name(a.id)}–${name(b.id)}`);
          const mid = { x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2 };
          el.innerHTML =
            `<line x1="${pa.x}" y1="${pa.y}" x2="${pb.x}" y2="${pb.y}" class="link-hit"/>` +
            `<line x1="${pa.x}" y1="${pa.y}" x2="${pb.x}" y2="${pb.y}" class="link-line"/>` +
            (cut ? `<path class="cut-mark" d="M ${mid.x - 6} ${mid.y - 6} L ${mid.x + 6} ${mid.y + 6} M ${mid.x + 6} ${mid.y - 6} L ${mid.x - 6} ${mid.y + 6}"/>` : '');
        }, seen);
      }
    }

    for (const node of frame.nodes) {
      const p = positions.get(node.id);
      if (p === undefined) continue;
      const selected = selection.node === node.id;
      const label = describeNode(node);
      const el = this.#element(this.#nodes, `node:${node.id}`, `${label}|${selected}`, (g) => {
        g.setAttribute('class', `node role-${node.role}${selected ? ' selected' : ''}${node.member ? '' : ' outsider'}`);
        g.dataset.node = node.id;
        g.dataset.role = node.role;
        g.dataset.term = String(node.term);
        g.dataset.member = String(node.member);
        g.setAttribute('transform', `translate(${p.x} ${p.y})`);
        g.setAttribute('aria-label', `${label}. Select`);
        g.setAttribute('aria-pressed', String(selected));
        const at = labelPlacement(p, r);
        const vote = voteText(node);
        g.innerHTML =
          `<circle r="${r + arcGap}" class="timer-track"/><path class="timer-arc" d=""/>` +
          `<circle r="${r}" fill="${roleColor[node.role]}" class="body"/>` +
          `<text y="-5" class="node-name" fill="${ink}">${name(node.id)}</text>` +
          `<text y="12" class="node-term" fill="${ink}">term ${node.term}</text>` +
          `<text x="${at.x}" y="${at.y}" text-anchor="${at.anchor}" class="node-role">${esc(roleLabel[node.role])}${node.learner ? ' (learner)' : ''}${node.member ? '' : ' · removed'}</text>` +
          (vote === '' ? '' : `<text x="${at.x}" y="${at.y + 14}" text-anchor="${at.anchor}" class="node-vote">${vote}</text>`);
      }, seen);
      const left = timerLeft(node, t);
      el.querySelector('.timer-arc')!.setAttribute('d', left === undefined ? '' : arcPath({ x: 0, y: 0 }, r + arcGap, left));
    }

    for (const m of messagesInFlight(frame, t)) {
      const from = positions.get(m.from);
      const to = positions.get(m.to);
      if (from === undefined || to === undefined) continue;
      const selected = selection.message === m.id;
      const el = this.#element(this.#messages, `msg:${m.id}`, String(selected), (g) => {
        const color = messageColor(m.type);
        const rejected = m.response && m.ok === false;
        const size = m.type === 'heartbeat' || m.type === 'heartbeatResp' ? 6 : 9;
        g.setAttribute('class', `message type-${m.type}${m.response ? ' response' : ''}${rejected ? ' rejected' : ''}${selected ? ' selected' : ''}`);
        g.dataset.msg = String(m.id);
        g.setAttribute('aria-label', `${describeMessageShort(m)}. Explain`);
        g.innerHTML =
          `<circle r="${size + 6}" class="msg-hit"/>` +
          `<circle r="${size}" fill="${m.response ? 'var(--surface)' : color}" stroke="${rejected ? 'var(--reject)' : color}" stroke-width="3"/>` +
          (rejected ? `<path class="reject-mark" d="M -3.5 -3.5 L 3.5 3.5 M 3.5 -3.5 L -3.5 3.5"/>` : '');
      }, seen);
      const at = messagePoint(from, to, messageProgress(m, t), r + arcGap + 3);
      el.setAttribute('transform', `translate(${at.x.toFixed(1)} ${at.y.toFixed(1)})`);
    }

    for (const [id, { el }] of this.#drawn) {
      if (!seen.has(id)) {
        el.remove();
        this.#drawn.delete(id);
      }
    }
  }
}
