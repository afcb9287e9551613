/**
 * Watches a core's election timer from outside, for the timer arc: the pure core does not
 * report it, but every timer reset draws one random number (the contract of
 * `RaftOptions.electionTicks`) and a follower also restarts its timer, without a new draw,
 * when it hears from its leader or grants a vote. The draws pass through unchanged, so a run
 * is the same with or without the probe.
 */
import type { ConfChange, Message, NodeId, ProposeOutcome, RaftCore, RaftOptions, RaftRestore, RaftStatus, Ready, Rejection, Snapshot } from '@webraft/core';

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
    return new ProbedCore(core, this);
  }
}

/** Passes every call through; looks at the core only after messages that may restart the timer. */
class ProbedCore implements RaftCore {
  constructor(
    private readonly core: RaftCore,
    private readonly probe: TimerProbe,
  ) {}

  step(message: Message): Rejection | undefined {
    const contact = leaderContact.has(message.type);
    const vote = message.type === 'vote' && !message.pre;
    if (!contact && !vote) return this.core.step(message);
    const voteBefore = vote ? this.core.status().vote : '';
    const rejection = this.core.step(message);
    if (rejection === undefined) {
      const s = this.core.status();
      if (contact && s.role === 'follower' && s.lead === message.from) this.probe.restart();
      else if (vote && s.vote === message.from && voteBefore !== message.from) this.probe.restart();
    }
    return rejection;
  }

  tick(): void {
    this.core.tick();
  }
  propose(data: Uint8Array): ProposeOutcome {
    return this.core.propose(data);
  }
  proposeConfChange(change: ConfChange): ProposeOutcome {
    return this.core.proposeConfChange(change);
  }
  readIndex(context: Uint8Array): void {
    this.core.readIndex(context);
  }
  transferLeadership(to: NodeId): void {
    this.core.transferLeadership(to);
  }
  campaign(): void {
    this.core.campaign();
  }
  reportUnreachable(peer: NodeId): void {
    this.core.reportUnreachable(peer);
  }
  hasReady(): boolean {
    return this.core.hasReady();
  }
  ready(): Ready {
    return this.core.ready();
  }
  advance(ready: Ready): void {
    this.core.advance(ready);
  }
  persisted(seq: number): void {
    this.core.persisted(seq);
  }
  compact(snapshot: Snapshot, keepEntries?: number): void {
    this.core.compact(snapshot, keepEntries);
  }
  appliedTo(index: number): void {
    this.core.appliedTo(index);
  }
  status(): RaftStatus {
    return this.core.status();
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
