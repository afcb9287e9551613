import type { StateMachine } from '@webraft/core';

export type KvCommand = { readonly key: string; readonly value: string };

/** A key-value map; `apply` returns the previous value. */
export class Kv implements StateMachine<KvCommand, string | null> {
  readonly data = new Map<string, string>();

  apply(command: KvCommand): string | null {
    const previous = this.data.get(command.key) ?? null;
    this.data.set(command.key, command.value);
    return previous;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }

  restore(bytes: Uint8Array): void {
    this.data.clear();
    for (const [k, v] of JSON.parse(new TextDecoder().decode(bytes)) as [string, string][]) this.data.set(k, v);
  }
}
