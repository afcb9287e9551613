/**
 * The hooks of one context (a page or one of its Workers): which tab it belongs to, the newest
 * fault state it has adopted, and the judgement of each arriving message.
 */
import { isFaultState, noFaults, verdict, type FaultState } from '../faults.ts';

/** The key of the envelope a fault layer puts around what it sends: the sending tab. */
export const SENDER_KEY = '__webraftFrom';

export interface Envelope {
  readonly [SENDER_KEY]: string;
  readonly data: unknown;
}

export function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[SENDER_KEY] === 'string' && 'data' in value;
}

export class HookContext {
  state: FaultState = noFaults;
  readonly counters = { delivered: 0, dropped: 0, delayed: 0 };
  /** Raft nodes carried by this context's node-addressed transports (`faultTransport`). */
  readonly ownNodes = new Set<string>();
  /** Called after a newer state is adopted. */
  onAdopt: (state: FaultState) => void = () => {};
  /** Called when this context's transports start carrying another node. */
  onNodes: (nodes: readonly string[]) => void = () => {};

  constructor(
    /** The tab; a Worker learns it from its page, until then it is ''. */
    public tab: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** Adopts `state` if it is well-formed and newer than the one held; returns whether it did. */
  adopt(state: unknown): boolean {
    if (!isFaultState(state) || state.version <= this.state.version) return false;
    this.state = state;
    this.onAdopt(state);
    return true;
  }

  /** This context's transport carries node `node`. */
  announce(node: string): void {
    if (this.ownNodes.has(node)) return;
    this.ownNodes.add(node);
    this.onNodes([...this.ownNodes]);
  }

  /** The tab that runs node `node`, as the runner told (undefined: unknown). */
  tabOfNode(node: string): string | undefined {
    if (this.ownNodes.has(node)) return this.tab;
    return this.state.nodes[node];
  }

  /** Delivers, delays or drops a message from tab `from` to this one, as the faults say. */
  receive(from: string | undefined, deliver: () => void): void {
    const v = verdict(this.state, from, this.tab, this.random);
    if (!v.deliver) {
      this.counters.dropped++;
      return;
    }
    this.counters.delivered++;
    if (v.delayMs <= 0) {
      deliver();
      return;
    }
    this.counters.delayed++;
    setTimeout(deliver, v.delayMs);
  }
}
