/**
 * What the relay reads from its clients, and at what pace: every chunk is counted before `ws`
 * holds it (a message's announced length enters the memory budget as soon as its header is
 * read), a member over `maxBytesPerSecond` is not read until its budget refills, a member
 * whose message does not fit the budget is not read until there is room, and a member whose
 * message stays incomplete for `stallTimeoutMs` is dropped.
 */
import { CloseCode } from '../protocol.ts';
import type { MemoryBudget } from './budget.ts';
import type { ResolvedRelayOptions } from './options.ts';
import type { Member } from './room.ts';
import type { RelayStats } from './stats.ts';

/** A message that got no bytes for this long, while others wait for room, is dropped to make it. */
const stalledMessageMs = 1000;

/** Disconnects a member, counted under `cause` (the switchboard's `drop`). */
export type Drop = (member: Member, code: CloseCode, reason: string, cause: keyof RelayStats['disconnected']) => void;

export class Intake {
  /** Members in the middle of receiving a message. */
  readonly #receiving = new Set<Member>();
  /** Members not read until the budget has room for the message they announced. */
  readonly #waiting = new Set<Member>();

  constructor(
    private readonly opts: ResolvedRelayOptions,
    private readonly stats: RelayStats,
    private readonly budget: MemoryBudget,
    private readonly drop: Drop,
  ) {}

  /** Counts a chunk read from `member`'s socket, before `ws` parses it. */
  chunk(member: Member, chunk: Buffer): void {
    if (member.leaving) return;
    const now = this.opts.now();
    const delta = member.incoming.read(chunk, now);
    if (delta !== 0) {
      this.budget.change('incoming', delta);
      if (member.incoming.held > 0) this.#receiving.add(member);
      else this.#receiving.delete(member);
    }
    if (this.budget.over && member.incoming.unread > 0) this.#wait(member);
    const debtMs = member.bytes.spend(chunk.length, now);
    if (debtMs > 0 && !member.throttled) this.#throttle(member, debtMs);
  }

  /** Returns what the budget counts for `member`'s incoming message; called once it is gone or its socket is cut. */
  forget(member: Member): void {
    this.budget.change('incoming', -member.incoming.held);
    member.incoming.held = 0;
    this.#receiving.delete(member);
    this.#waiting.delete(member);
  }

  /**
   * Stops reading a member that sent more than `maxBytesPerSecond` until its budget is back:
   * the network holds its bytes back, and the relay spends nothing on them meanwhile.
   */
  #throttle(member: Member, ms: number): void {
    this.stats.throttled++;
    member.throttled = true;
    member.socket.pause();
    setTimeout(() => {
      member.throttled = false;
      if (!member.waiting && !member.leaving) member.socket.resume();
    }, ms).unref();
  }

  /**
   * Stops reading a member whose message announced more than the budget has room for: its
   * bytes wait in the network, not here. Reading resumes once there is room.
   */
  #wait(member: Member): void {
    this.budget.change('incoming', -member.incoming.setAside());
    member.waiting = true;
    member.socket.pause();
    this.#waiting.add(member);
    this.makeRoom();
  }

  /**
   * Makes room for waiting members, the smallest message first: drops the connections whose
   * message stalled (nothing read for a second) — they hold memory without using it — then
   * resumes the waiting members that fit.
   */
  makeRoom(): void {
    if (this.#waiting.size === 0) return;
    const waiting = [...this.#waiting].sort((a, b) => a.incoming.unread - b.incoming.unread);
    const stalledBefore = this.opts.now() - stalledMessageMs;
    const stalled = [...this.#receiving]
      .filter((m) => !m.waiting && !m.leaving && m.incoming.progressAt <= stalledBefore)
      .sort((a, b) => a.incoming.progressAt - b.incoming.progressAt);
    for (const member of waiting) {
      if (member.leaving) continue;
      while (!this.budget.fits(member.incoming.unread) && stalled.length > 0) {
        this.drop(stalled.shift()!, CloseCode.overloaded, 'relay over its memory budget', 'overBudget');
      }
      if (!this.budget.fits(member.incoming.unread)) return;
      this.#waiting.delete(member);
      member.waiting = false;
      this.budget.change('incoming', member.incoming.takeBack());
      if (!member.throttled) member.socket.resume();
    }
  }

  /** Drops the members whose message stayed incomplete for `stallTimeoutMs`. */
  dropStalledSenders(now: number): void {
    for (const member of [...this.#receiving]) {
      if (!member.leaving && now - member.incoming.since >= this.opts.stallTimeoutMs) {
        this.drop(member, CloseCode.slowSender, 'slow sender: message incomplete', 'slowSender');
      }
    }
  }

  /** Members holding part of a message, for shedding load. */
  get receiving(): ReadonlySet<Member> {
    return this.#receiving;
  }
}
