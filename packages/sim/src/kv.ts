/**
 * The replicated key-value state machine the simulated clients use. Each command carries
 * the client's operation id; the machine remembers the last operation applied per client
 * (a client session, Raft thesis §6.3), so a retried command that was already applied
 * answers with its first result instead of taking effect twice.
 */
import type { KvInput } from './history.ts';

export interface KvCommand {
  /** `client:sequence`, unique per operation (kept across retries). */
  readonly id: string;
  readonly client: string;
  readonly seq: number;
  readonly input: KvInput;
}

/** `cas` that found another value did not take effect (`applied: false`). */
export interface KvResult {
  readonly applied: boolean;
  /** `get`: the value read; otherwise the value after the operation. */
  readonly value: string | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Simulated nodes share entry bytes by reference and clients retry with the same command,
// so each command is encoded once and its bytes are never parsed again.
const encoded = new WeakMap<KvCommand, Uint8Array>();
const decoded = new WeakMap<Uint8Array, KvCommand>();

export function encodeCommand(command: KvCommand): Uint8Array {
  let bytes = encoded.get(command);
  if (bytes === undefined) {
    bytes = encoder.encode(JSON.stringify(command));
    encoded.set(command, bytes);
    decoded.set(bytes, command);
  }
  return bytes;
}

export function decodeCommand(data: Uint8Array): KvCommand {
  let command = decoded.get(data);
  if (command === undefined) {
    command = JSON.parse(decoder.decode(data)) as KvCommand;
    decoded.set(data, command);
  }
  return command;
}

interface Session {
  readonly seq: number;
  readonly result: KvResult;
}

interface KvImage {
  readonly data: [string, string][];
  readonly sessions: [string, Session][];
}

export class KvStore {
  private data = new Map<string, string>();
  private sessions = new Map<string, Session>();

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  apply(command: KvCommand): KvResult {
    const session = this.sessions.get(command.client);
    if (session !== undefined && session.seq >= command.seq) {
      // Only the latest operation of a client can be retried (one operation in flight per client).
      return session.seq === command.seq ? session.result : { applied: false, value: null };
    }
    const result = this.execute(command.input);
    this.sessions.set(command.client, { seq: command.seq, result });
    return result;
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
    const image: KvImage = { data: [...this.data], sessions: [...this.sessions] };
    return encoder.encode(JSON.stringify(image));
  }

  restore(bytes: Uint8Array): void {
    if (bytes.length === 0) {
      this.data = new Map();
      this.sessions = new Map();
      return;
    }
    const image = JSON.parse(decoder.decode(bytes)) as KvImage;
    this.data = new Map(image.data);
    this.sessions = new Map(image.sessions);
  }

  /** A stable digest of the whole state, compared across nodes at the same applied index. */
  digest(): string {
    return JSON.stringify([[...this.data].sort(), [...this.sessions].sort()]);
  }
}
