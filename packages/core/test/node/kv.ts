import type { StateMachine } from '../../src/node/state-machine.ts';

export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'incr'; readonly key: string }
  | { readonly op: 'fail'; readonly message: string };

export type KvResult = string | number | undefined;

/** A key-value map that records every index it applied, to check exactly-once and order. */
export class KvStateMachine implements StateMachine<KvCommand, KvResult> {
  data = new Map<string, string>();
  appliedIndexes: number[] = [];
  restores = 0;

  apply(command: KvCommand, index: number): KvResult {
    this.appliedIndexes.push(index);
    switch (command.op) {
      case 'put': {
        const previous = this.data.get(command.key);
        this.data.set(command.key, command.value);
        return previous;
      }
      case 'incr': {
        const next = Number(this.data.get(command.key) ?? '0') + 1;
        this.data.set(command.key, String(next));
        return next;
      }
      case 'fail':
        throw new Error(command.message);
    }
  }

  get(key: string): string | undefined {
    return this.data.get(key);
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }

  restore(bytes: Uint8Array): void {
    this.restores++;
    this.data = new Map(JSON.parse(new TextDecoder().decode(bytes)) as [string, string][]);
  }
}
