/**
 * A small deterministic world for testing the session without a simulator: every 100 ms
 * the node whose turn it is sends a message that takes 30 ms; a `crash` marks a node down;
 * a `request` appends an entry to s1's log. Randomness comes from the seed only.
 */
import type { Action } from '../src/teach/model/actions.ts';
import type { EventView, Frame, MessageView, NodeView } from '../src/teach/model/types.ts';
import type { World, WorldOptions } from '../src/teach/model/world.ts';

/** The factory a Session takes. */
export const fakeWorld = async (options: WorldOptions): Promise<FakeWorld> => new FakeWorld(options);

export class FakeWorld implements World {
  now = 0;
  version = 0;
  readonly allNodes: string[];
  readonly applied: Action[] = [];
  #down = new Set<string>();
  #log: number[] = [];
  #messages: MessageView[] = [];
  #events: EventView[] = [];
  #nextMessage = 1;

  constructor(private readonly options: WorldOptions) {
    this.allNodes = Array.from({ length: options.nodes }, (_, i) => `s${i + 1}`);
  }

  async runUntil(t: number): Promise<void> {
    for (let next = Math.floor(this.now / 100) * 100 + 100; next <= t; next += 100) {
      const from = this.allNodes[(next / 100 + this.options.seed) % this.allNodes.length]!;
      const to = this.allNodes[(next / 100 + this.options.seed + 1) % this.allNodes.length]!;
      this.#messages = this.#messages.filter((m) => m.recvTime > next);
      this.#messages.push({ id: this.#nextMessage++, from, to, type: 'heartbeat', summary: 'hb', why: 'a heartbeat', sendTime: next, recvTime: next + 30, response: false });
      this.#events.push({ time: next, node: from, text: `send to ${to}`, why: 'its turn', kind: 'net' });
      this.version++;
    }
    this.now = t;
  }

  async apply(action: Action): Promise<void> {
    this.applied.push(action);
    if (action.kind === 'crash') this.#down.add(action.node);
    if (action.kind === 'request') this.#log.push(this.now);
    if (action.kind === 'drop') this.#messages = this.#messages.filter((m) => m.id !== action.msg);
    this.#events.push({ time: this.now, text: action.kind, why: 'a learner action', kind: 'user' });
    this.version++;
  }

  frame(): Frame {
    const nodes: NodeView[] = this.allNodes.map((id) => ({
      id,
      role: this.#down.has(id) ? 'down' : 'follower',
      term: 1,
      vote: '',
      lead: '',
      commit: 0,
      applied: 0,
      snapshotIndex: 0,
      log: id === 's1' ? this.#log.map((_, i) => ({ index: i + 1, term: 1, type: 'normal' as const, label: `r${i + 1}` })) : [],
      member: true,
      learner: false,
    }));
    return { time: this.now, nodes, messages: this.#messages, cuts: [] };
  }

  drainEvents(): EventView[] {
    const out = this.#events;
    this.#events = [];
    return out;
  }
}
