/**
 * Randomized runs for the `chaos` command: a seeded sequence of ordinary scenario commands
 * (ticks, out-of-order deliveries, drops, Ready handling, persistence, proposals, reads,
 * crashes, restarts, partitions, compaction). The harness checks the safety invariants
 * after every step; a run stops at the first violation and prints the commands that led
 * there, which can be pasted into a script to replay it.
 */
import { seededRandom } from './args.ts';

/** What a chaos run may look at to pick its next command. */
export interface ChaosView {
  nodeIds(): string[];
  isUp(id: string): boolean;
  /** Senders with a message queued for `id`. */
  sendersTo(id: string): string[];
  hasReady(id: string): boolean;
  hasPendingWrites(id: string): boolean;
  canCompact(id: string): boolean;
}

export function chaosStep(view: ChaosView, random: () => number, step: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const ids = view.nodeIds();
  const up = ids.filter((id) => view.isUp(id));
  const down = ids.filter((id) => !view.isUp(id));
  // Mostly message traffic and Ready handling, so the cluster makes progress between faults.
  const r = random();
  if (r < 0.35) {
    const withMail = up.filter((id) => view.sendersTo(id).length > 0);
    if (withMail.length > 0) {
      const to = pick(withMail);
      const from = pick(view.sendersTo(to));
      return `deliver-msgs ${to} from=${from} limit=1${random() < 0.05 ? ' drop' : ''}`;
    }
  }
  if (r < 0.6) {
    const ready = up.filter((id) => view.hasReady(id));
    if (ready.length > 0) return `process-ready ${pick(ready)}`;
  }
  if (r < 0.7) {
    const pending = up.filter((id) => view.hasPendingWrites(id));
    if (pending.length > 0) return `persist ${pick(pending)}`;
  }
  if (r < 0.72) return 'stabilize';
  if (r < 0.8 && up.length > 0) return `tick ${pick(up)} ${1 + Math.floor(random() * 3)}`;
  if (r < 0.88 && up.length > 0) return `propose ${pick(up)} c${step}`;
  if (r < 0.9 && up.length > 0) return `read-index ${pick(up)} r${step}`;
  if (r < 0.91 && down.length > 0) return `restart ${pick(down)}`;
  if (r < 0.915 && up.length > 0 && down.length < Math.floor((ids.length - 1) / 2)) return `crash ${pick(up)}`;
  if (r < 0.92) {
    // Fisher–Yates: a random comparator in sort() would differ between JS engines.
    const shuffled = [...ids];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const cut = 1 + Math.floor(random() * (ids.length - 1));
    return `partition ${shuffled.slice(0, cut).join(' ')} | ${shuffled.slice(cut).join(' ')}`;
  }
  if (r < 0.94) return 'heal';
  if (r < 0.96) {
    const compactable = up.filter((id) => view.canCompact(id));
    if (compactable.length > 0) return `compact ${pick(compactable)}`;
  }
  if (r < 0.965 && up.length > 1) return `transfer-leadership ${pick(up)} ${pick(ids)}`;
  if (r < 0.975 && up.length > 0) {
    // Promote or demote members (one change, or two through a joint configuration).
    const changes = [`${random() < 0.5 ? 'v' : 'l'}${pick(ids)}`];
    if (random() < 0.3) changes.push(`${random() < 0.5 ? 'v' : 'l'}${pick(ids)}`);
    return `propose-conf-change ${pick(up)} ${changes.join(' ')}`;
  }
  return up.length > 0 ? `tick ${pick(up)} 1` : `restart ${pick(down)}`;
}

export function chaosRandom(seed: number): () => number {
  return seededRandom(seed * 2654435761);
}
