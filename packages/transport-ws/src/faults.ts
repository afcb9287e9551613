/**
 * Fault injection on links between nodes, with one shape for the relay's admin API and the
 * client transports (the playground drives both). A link is directed (`from` → `to`); `'*'`
 * matches any node. The most specific rule wins: exact pair, then `from → *`, then `* → to`,
 * then `* → *`.
 */
import type { NodeId } from '@webraft/core';

export interface LinkFault {
  /** Every frame on the link is dropped. @default false */
  readonly cut?: boolean;
  /** Probability in [0, 1] that a frame is dropped. @default 0 */
  readonly dropRate?: number;
  /** Extra delay before a frame is passed on, in ms. @default 0 */
  readonly delayMs?: number;
  /** Uniform random extra delay in [0, jitterMs) on top of `delayMs`; reorders frames. @default 0 */
  readonly jitterMs?: number;
}

/** A rule as listed by {@link FaultTable.list} and accepted by the relay's admin API. */
export interface LinkFaultRule extends LinkFault {
  readonly from: NodeId | '*';
  readonly to: NodeId | '*';
}

/** What to do with one frame: drop it, or pass it on after `delayMs` (0: at once). */
export type FaultVerdict = { readonly drop: true } | { readonly drop: false; readonly delayMs: number };

export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
}

const pass: FaultVerdict = Object.freeze({ drop: false, delayMs: 0 });
const drop: FaultVerdict = Object.freeze({ drop: true });

export class FaultTable {
  readonly #rules = new Map<string, LinkFaultRule>();
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** Sets (replaces) the fault on `from → to`; `null` or an empty fault removes it. */
  set(from: NodeId | '*', to: NodeId | '*', fault: LinkFault | null): void {
    const key = linkKey(from, to);
    if (fault === null || isEmpty(fault)) {
      this.#rules.delete(key);
      return;
    }
    validate(fault);
    this.#rules.set(key, { from, to, ...fault });
  }

  /** Cuts `a → b` and, unless `oneWay`, `b → a`. */
  cut(a: NodeId | '*', b: NodeId | '*', oneWay = false): void {
    this.set(a, b, { ...this.#rules.get(linkKey(a, b)), cut: true });
    if (!oneWay) this.set(b, a, { ...this.#rules.get(linkKey(b, a)), cut: true });
  }

  /** Removes every fault between `a` and `b` (both ways); with no arguments, every fault. */
  heal(a?: NodeId | '*', b?: NodeId | '*'): void {
    if (a === undefined || b === undefined) {
      this.#rules.clear();
      return;
    }
    this.#rules.delete(linkKey(a, b));
    this.#rules.delete(linkKey(b, a));
  }

  /** Cuts `node` off from everyone, both ways. */
  isolate(node: NodeId): void {
    this.cut(node, '*');
  }

  list(): LinkFaultRule[] {
    return [...this.#rules.values()];
  }

  /** The verdict for one frame on `from → to`. */
  decide(from: NodeId, to: NodeId): FaultVerdict {
    if (this.#rules.size === 0) return pass;
    const rule =
      this.#rules.get(linkKey(from, to)) ??
      this.#rules.get(linkKey(from, '*')) ??
      this.#rules.get(linkKey('*', to)) ??
      this.#rules.get(linkKey('*', '*'));
    if (rule === undefined) return pass;
    if (rule.cut === true) return drop;
    if (rule.dropRate !== undefined && rule.dropRate > 0 && this.#random() < rule.dropRate) return drop;
    const delayMs = (rule.delayMs ?? 0) + (rule.jitterMs ? this.#random() * rule.jitterMs : 0);
    return delayMs > 0 ? { drop: false, delayMs } : pass;
  }
}

/** Checks untrusted input (the admin API's JSON body) and returns it as a rule. */
export function parseLinkFaultRule(input: unknown): LinkFaultRule {
  if (typeof input !== 'object' || input === null) throw new FaultRuleError('a rule must be an object');
  const { from, to, cut, dropRate, delayMs, jitterMs } = input as Record<string, unknown>;
  if (typeof from !== 'string' || from === '') throw new FaultRuleError('`from` must be a node id or "*"');
  if (typeof to !== 'string' || to === '') throw new FaultRuleError('`to` must be a node id or "*"');
  if (cut !== undefined && typeof cut !== 'boolean') throw new FaultRuleError('`cut` must be a boolean');
  const fault: LinkFault = {
    ...(cut !== undefined && { cut }),
    ...(dropRate !== undefined && { dropRate: dropRate as number }),
    ...(delayMs !== undefined && { delayMs: delayMs as number }),
    ...(jitterMs !== undefined && { jitterMs: jitterMs as number }),
  };
  validate(fault);
  return { from, to, ...fault };
}

function validate(fault: LinkFault): void {
  const { dropRate, delayMs, jitterMs } = fault;
  if (dropRate !== undefined && !(typeof dropRate === 'number' && dropRate >= 0 && dropRate <= 1)) {
    throw new FaultRuleError('`dropRate` must be a number in [0, 1]');
  }
  for (const [name, value] of [['delayMs', delayMs], ['jitterMs', jitterMs]] as const) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 60_000)) {
      throw new FaultRuleError(`\`${name}\` must be a number of ms in [0, 60000]`);
    }
  }
}

function isEmpty(fault: LinkFault): boolean {
  return !fault.cut && !fault.dropRate && !fault.delayMs && !fault.jitterMs;
}

function linkKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
