/**
 * The replicated key-value state machine the simulated clients use, run by each node's real
 * `RaftNode`. It deliberately has no duplicate detection of its own: retries are made
 * exactly-once by RaftNode's client sessions or not at all, so a command that reaches
 * `apply` twice is a bug of the layers below, reported to the invariants ("At Most Once").
 * The ids of applied operations are part of the replicated state (and of its snapshot), so a
 * snapshot that forgets an applied operation is caught too.
 */
import type { StateMachine } from '@webraft/core';
import type { KvInput } from './history.ts';

export interface KvCommand {
  /** `client:sequence`, unique per client operation (kept across retries). */
  readonly id: string;
  readonly input: KvInput;
}

/** `cas` that found another value did not take effect (`applied: false`). */
export interface KvResult {
  readonly applied: boolean;
  /** `get`: the value read; `cas` that did not apply: the value found; otherwise the value after the operation. */
  readonly value: string | null;
}

/** What the state machine tells the invariants. */
export interface KvObserver {
  applied(index: number, command: KvCommand, duplicate: boolean): void;
  /** A snapshot replaced the state: `before` were the operations applied until then. */
  restored(before: ReadonlySet<string>, after: ReadonlySet<string>): void;
}

interface KvImage {
  readonly data: [string, string][];
  readonly ops: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KvStore implements StateMachine<KvCommand, KvResult> {
  private data = new Map<string, string>();
  private ops = new Set<string>();

  /**
   * @param salt orders the snapshot's contents its own way: equal states, different bytes, as
   *   many real state machines produce (hash-map order, compression). A snapshot transfer that
   *   mixed two nodes' images would then show.
   */
  constructor(
    private readonly observer?: KvObserver,
    private readonly salt = '',
  ) {}

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Operations applied to this state, in order. */
  get appliedOps(): ReadonlySet<string> {
    return this.ops;
  }

  apply(command: KvCommand, index: number): KvResult {
    const duplicate = this.ops.has(command.id);
    this.observer?.applied(index, command, duplicate);
    this.ops.add(command.id);
    return this.execute(command.input);
  }

  private execute(input: KvInput): KvResult {
    const current = this.get(input.key);
    switch (input.op) {
      case 'get':
        return { applied: true, value: current };
      case 'put':
        this.data.set(input.key, input.value ?? '');
        return { applied: true, value: input.value ?? '' };
      case 'cas':
        if (current !== (input.expected ?? null)) return { applied: false, value: current };
        this.data.set(input.key, input.value ?? '');
        return { applied: true, value: input.value ?? '' };
    }
  }

  snapshot(): Uint8Array {
    const order = <T extends string | [string, string]>(items: T[]): T[] =>
      this.salt === '' ? items : items.sort((a, b) => saltedHash(this.salt, String(a)) - saltedHash(this.salt, String(b)));
    const image: KvImage = { data: order([...this.data]), ops: order([...this.ops]) };
    return encoder.encode(JSON.stringify(image));
  }

  restore(bytes: Uint8Array): void {
    const before = this.ops;
    if (bytes.length === 0) {
      this.data = new Map();
      this.ops = new Set();
    } else {
      const image = JSON.parse(decoder.decode(bytes)) as KvImage;
      this.data = new Map(image.data);
      this.ops = new Set(image.ops);
    }
    this.observer?.restored(before, this.ops);
  }

  /** A stable digest of the whole state, compared across nodes at the same applied index. */
  digest(): string {
    return JSON.stringify([[...this.data].sort(), [...this.ops].sort()]);
  }
}

function saltedHash(salt: string, text: string): number {
  let h = 0x811c9dc5;
  for (const s of [salt, text]) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
