/**
 * The replicated client-session table behind exactly-once commands (Raft thesis §6.3). Every
 * node derives the same table from the same log: a session is opened by a `register` command
 * (its client id is that command's index in the log), each command of a session carries an increasing
 * sequence number, and a retry of the latest one is answered from the table instead of being
 * applied again. Sessions expire by log index (not wall time) so every node drops the same
 * sessions at the same entry.
 */
import type { CommandCodec } from './state-machine.ts';
import { readVarint, varintSize, writeVarint } from '../codec/varint.ts';

/** What one applied session request produced, as kept for replays. */
export type SessionOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

interface SessionRecord {
  seq: number;
  outcome: SessionOutcome;
  /** Index of the entry that last used the session; drives expiry. */
  lastIndex: number;
}

export type SessionCheck =
  | { readonly kind: 'apply' }
  | { readonly kind: 'duplicate'; readonly outcome: SessionOutcome }
  | { readonly kind: 'expired' }
  | { readonly kind: 'stale'; readonly latest: number };

class SessionTableError extends Error {
  override readonly name = 'SessionTableError';
}

export class SessionTable {
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #sweepEvery: number;
  readonly #ttlEntries: number;
  readonly #resultCodec: CommandCodec<unknown>;

  /**
   * @param ttlEntries a session unused for this many log entries is dropped. Must be the same
   *   on every node of a cluster, or their tables diverge.
   * @param resultCodec encodes apply results into snapshots.
   */
  constructor(ttlEntries: number, resultCodec: CommandCodec<unknown>) {
    this.#ttlEntries = ttlEntries;
    this.#resultCodec = resultCodec;
    this.#sweepEvery = Math.max(1, Math.floor(ttlEntries / 8));
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * A `register` command was applied, the `position`-th command of the entry at `index`:
   * opens session `"<index>"` (or `"<index>.<position>"` for a later command of a batch
   * entry), a name no other registration can have.
   */
  register(index: number, position = 0): string {
    const clientId = position === 0 ? String(index) : `${index}.${position}`;
    this.#sessions.set(clientId, { seq: 0, outcome: { ok: true, value: undefined }, lastIndex: index });
    return clientId;
  }

  check(clientId: string, seq: number): SessionCheck {
    const record = this.#sessions.get(clientId);
    if (record === undefined) return { kind: 'expired' };
    if (seq === record.seq) return { kind: 'duplicate', outcome: record.outcome };
    if (seq < record.seq) return { kind: 'stale', latest: record.seq };
    return { kind: 'apply' };
  }

  record(clientId: string, seq: number, outcome: SessionOutcome, index: number): void {
    const record = this.#sessions.get(clientId);
    if (record === undefined) return;
    record.seq = seq;
    record.outcome = outcome;
    record.lastIndex = index;
  }

  /** Called for every applied index, of any entry type, so expiry points are identical on every node. */
  onApplied(index: number): void {
    if (index % this.#sweepEvery !== 0 || this.#sessions.size === 0) return;
    const horizon = index - this.#ttlEntries;
    for (const [clientId, record] of this.#sessions) if (record.lastIndex <= horizon) this.#sessions.delete(clientId);
  }

  clear(): void {
    this.#sessions.clear();
  }

  encode(): Uint8Array[] {
    const parts: Uint8Array[] = [varintBytes(this.#sessions.size)];
    for (const [clientId, record] of this.#sessions) {
      const id = utf8.encode(clientId);
      const body = record.outcome.ok ? this.#resultCodec.encode(record.outcome.value) : utf8.encode(record.outcome.error);
      const head = new Uint8Array(1 + id.length + varintSize(record.seq) + varintSize(record.lastIndex) + 1 + varintSize(body.length));
      head[0] = id.length;
      head.set(id, 1);
      let pos = writeVarint(head, 1 + id.length, record.seq);
      pos = writeVarint(head, pos, record.lastIndex);
      head[pos++] = record.outcome.ok ? 0 : 1;
      writeVarint(head, pos, body.length);
      parts.push(head, body);
    }
    return parts;
  }

  /** Replaces the table with the one encoded at `data[pos..]`; returns the position after it. */
  decode(data: Uint8Array, pos: number): number {
    this.#sessions.clear();
    let count: number;
    [count, pos] = readVarint(data, pos);
    for (let i = 0; i < count; i++) {
      const idLength = data[pos] ?? 0;
      if (idLength === 0 || pos + 1 + idLength > data.length) throw new SessionTableError('truncated session id');
      const clientId = utf8Decoder.decode(data.subarray(pos + 1, pos + 1 + idLength));
      let seq: number;
      let lastIndex: number;
      let bodyLength: number;
      [seq, pos] = readVarint(data, pos + 1 + idLength);
      [lastIndex, pos] = readVarint(data, pos);
      const kind = data[pos++];
      [bodyLength, pos] = readVarint(data, pos);
      if ((kind !== 0 && kind !== 1) || pos + bodyLength > data.length) throw new SessionTableError('truncated session record');
      const body = data.subarray(pos, pos + bodyLength);
      pos += bodyLength;
      const outcome: SessionOutcome =
        kind === 0 ? { ok: true, value: this.#resultCodec.decode(body) } : { ok: false, error: utf8Decoder.decode(body) };
      this.#sessions.set(clientId, { seq, outcome, lastIndex });
    }
    return pos;
  }
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function varintBytes(value: number): Uint8Array {
  const out = new Uint8Array(varintSize(value));
  writeVarint(out, 0, value);
  return out;
}
