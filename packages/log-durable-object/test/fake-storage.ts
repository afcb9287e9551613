/**
 * A Durable Object's storage in memory, with the limits Cloudflare's has (a value of at most
 * 128 KiB serialized (a typed array with its whole buffer), at most 128 keys per get, put or delete), transactions that land whole
 * or not at all, and faults at the seams: a transaction that fails, a sync held back.
 */
import { serialize } from 'node:v8';
import type { DurableObjectStorageLike, DurableObjectTransactionLike } from '../src/index.ts';

export class FakeStorage implements DurableObjectStorageLike {
  readonly data = new Map<string, unknown>();
  /** The next transactions fail with these errors, in turn. */
  readonly failures: Error[] = [];
  /** While set, `sync()` waits for it. */
  syncGate: Promise<void> | undefined;
  transactions = 0;
  largestValue = 0;

  async get(keys: string[]): Promise<Map<string, unknown>> {
    checkKeys(keys);
    const out = new Map<string, unknown>();
    for (const key of keys) if (this.data.has(key)) out.set(key, structuredClone(this.data.get(key)));
    return out;
  }

  async list(options: { start?: string; end?: string; prefix?: string; limit?: number }): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for (const key of [...this.data.keys()].sort()) {
      if (options.prefix !== undefined && !key.startsWith(options.prefix)) continue;
      if (options.start !== undefined && key < options.start) continue;
      if (options.end !== undefined && key >= options.end) continue;
      if (options.limit !== undefined && out.size >= options.limit) break;
      out.set(key, structuredClone(this.data.get(key)));
    }
    return out;
  }

  async transaction<T>(closure: (txn: DurableObjectTransactionLike) => Promise<T>): Promise<T> {
    const writes = new Map<string, { value: unknown } | undefined>();
    const txn: DurableObjectTransactionLike = {
      put: async (entries) => {
        checkKeys(Object.keys(entries));
        for (const [key, value] of Object.entries(entries)) {
          const size = serializedSize(value);
          if (size > 128 * 1024) throw new RangeError(`Values cannot be larger than 131072 bytes. A value of size ${size} was provided.`);
          this.largestValue = Math.max(this.largestValue, size);
          writes.set(key, { value: structuredClone(value) });
        }
      },
      delete: async (keys) => {
        checkKeys(keys);
        for (const key of keys) writes.set(key, undefined);
        return keys.length;
      },
    };
    const result = await closure(txn);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    for (const [key, write] of writes) {
      if (write === undefined) this.data.delete(key);
      else this.data.set(key, write.value);
    }
    this.transactions++;
    return result;
  }

  async sync(): Promise<void> {
    await this.syncGate;
  }
}

/**
 * The size Durable Object storage counts for a value: as V8 serializes it there, a typed array
 * with its whole buffer (Node's serializer writes only the view's bytes).
 */
function serializedSize(value: unknown): number {
  let extra = 0;
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) extra += v.buffer.byteLength - v.byteLength;
    else if (typeof v === 'object' && v !== null) for (const item of Object.values(v)) walk(item);
  };
  walk(value);
  return serialize(value).length + extra;
}

function checkKeys(keys: readonly string[]): void {
  if (keys.length > 128) throw new RangeError(`Maximum number of key value pairs is 128. ${keys.length} pairs were provided.`);
}
