/**
 * Watches a core's election timer from outside, for the timer arc: the pure core does not
 * report it, but every timer reset draws one random number (the contract of
 * `RaftOptions.electionTicks`) and a follower also restarts its timer, without a new draw,
 * when it hears from its leader or grants a vote. The draws pass through unchanged, so a run
 * is the same with or without the probe.
 */
import type { Message, RaftCore, RaftOptions, RaftRestore } from '@webraft/core';

export interface ElectionTimer {
  /** Virtual time of the last reset. */
  readonly resetAt: number;
  /** Ticks from the reset until the timer fires. */
  readonly timeoutTicks: number;
}

const leaderContact = new Set<Message['type']>(['app', 'heartbeat', 'snap']);

export class TimerProbe {
  timer: ElectionTimer = { resetAt: 0, timeoutTicks: 0 };

  constructor(
    private readonly now: () => number,
    private readonly electionTicks: number,
  ) {}

  /** Wraps the core's random source: each draw is a reset with timeout electionTicks + ⌊r × electionTicks⌋. */
  random(inner: () => number): () => number {
    return () => {
      const r = inner();
      this.timer = { resetAt: this.now(), timeoutTicks: this.electionTicks + Math.floor(r * this.electionTicks) };
      return r;
    };
  }

  restart(): void {
    this.timer = { ...this.timer, resetAt: this.now() };
  }

  wrap(core: RaftCore): RaftCore {
    const probe = this;
    return new Proxy(core, {
      get(target, key, receiver) {
        if (key === 'step') {
          return (message: Message) => {
            const voteBefore = target.status().vote;
            const rejection = target.step(message);
            if (rejection === undefined) {
              const s = target.status();
              if (leaderContact.has(message.type) && s.role === 'follower' && s.lead === message.from) probe.restart();
              else if (message.type === 'vote' && !message.pre && s.vote === message.from && voteBefore !== message.from) probe.restart();
            }
            return rejection;
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/** A core factory that attaches a probe per node; `probes` maps node id to its probe. */
export function probedCoreFactory(
  create: (options: RaftOptions, restore: RaftRestore) => RaftCore,
  now: () => number,
  probes: Map<string, TimerProbe>,
): (options: RaftOptions, restore: RaftRestore) => RaftCore {
  return (options, restore) => {
    const probe = new TimerProbe(now, options.electionTicks ?? 10);
    probes.set(options.id, probe);
    return probe.wrap(create({ ...options, random: probe.random(options.random) }, restore));
  };
}
