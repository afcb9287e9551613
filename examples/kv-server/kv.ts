// The replicated key-value map: the state machine every node applies the log to.
import type { StateMachine } from '@webraft/core';

export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'delete'; readonly key: string }
  | { readonly op: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/** put: the previous value; delete: whether the key existed; cas: whether it swapped, and the value it found. */
export type KvResult =
  | { readonly previous: string | null }
  | { readonly deleted: boolean }
  | { readonly ok: boolean; readonly current: string | null };

export class KvStateMachine implements StateMachine<KvCommand, KvResult> {
  data = new Map<string, string>();

  apply(command: KvCommand): KvResult {
    const current = this.data.get(command.key) ?? null;
    switch (command.op) {
      case 'put':
        this.data.set(command.key, command.value);
        return { previous: current };
      case 'delete':
        return { deleted: this.data.delete(command.key) };
      case 'cas':
        if (current !== command.expected) return { ok: false, current };
        this.data.set(command.key, command.value);
        return { ok: true, current: command.value };
    }
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }

  restore(bytes: Uint8Array): void {
    this.data = new Map(JSON.parse(new TextDecoder().decode(bytes)) as [string, string][]);
  }
}
