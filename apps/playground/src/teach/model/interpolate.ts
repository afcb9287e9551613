/**
 * Pure geometry and timing the renderer uses between frames: where a message is on its way,
 * how much of an election timer is left, where each node sits.
 */
import type { NodeId } from '@webraft/core';
import type { Frame, MessageView, NodeView } from './types.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Fraction of the way from sender to receiver at time `t`, clamped to [0, 1]. */
export function messageProgress(message: MessageView, t: number): number {
  const span = message.recvTime - message.sendTime;
  if (span <= 0) return t >= message.recvTime ? 1 : 0;
  return Math.min(1, Math.max(0, (t - message.sendTime) / span));
}

/** Messages on the wire at `t`: sent at or before it and not yet received. */
export function messagesInFlight(frame: Frame, t: number): MessageView[] {
  return frame.messages.filter((m) => m.sendTime <= t && m.recvTime > t);
}

/** Fraction of the election timeout still left at `t` (1 = just reset, 0 = fires now), or undefined. */
export function timerLeft(node: NodeView, t: number): number | undefined {
  if (node.timer === undefined) return undefined;
  const { start, end } = node.timer;
  if (end <= start) return 0;
  return Math.min(1, Math.max(0, (end - t) / (end - start)));
}

/** Nodes evenly on a circle, the first at the top, clockwise. */
export function ringLayout(ids: readonly NodeId[], center: Point, radius: number): Map<NodeId, Point> {
  const positions = new Map<NodeId, Point>();
  ids.forEach((id, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / ids.length;
    positions.set(id, { x: center.x + radius * Math.cos(angle), y: center.y + radius * Math.sin(angle) });
  });
  return positions;
}

/**
 * A message's position: along the line between the two nodes, stopping `inset` short of
 * each centre so it leaves and enters at the node's edge.
 */
export function messagePoint(from: Point, to: Point, progress: number, inset: number): Point {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy);
  if (length <= 2 * inset) return { x: from.x + dx * progress, y: from.y + dy * progress };
  const start = inset / length;
  const f = start + (1 - 2 * start) * progress;
  return { x: from.x + dx * f, y: from.y + dy * f };
}

/** SVG path of an arc covering `fraction` of a circle, clockwise from the top. */
export function arcPath(center: Point, radius: number, fraction: number): string {
  if (fraction <= 0) return '';
  if (fraction >= 0.9999) {
    return `M ${center.x} ${center.y - radius} A ${radius} ${radius} 0 1 1 ${center.x - 0.01} ${center.y - radius}`;
  }
  const angle = -Math.PI / 2 + 2 * Math.PI * fraction;
  const x = center.x + radius * Math.cos(angle);
  const y = center.y + radius * Math.sin(angle);
  const large = fraction > 0.5 ? 1 : 0;
  return `M ${center.x} ${center.y - radius} A ${radius} ${radius} 0 ${large} 1 ${x.toFixed(2)} ${y.toFixed(2)}`;
}
