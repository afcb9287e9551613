/**
 * The leader's filter for proposals forwarded by other nodes. The network may deliver a
 * message twice, and a forwarded `prop` appended twice would be applied twice; so within a
 * term the leader remembers which proposals of each origin it has appended and drops a second
 * copy. Across terms the core's own fence holds: a node takes a forwarded proposal only in
 * the term it was forwarded in, so a copy delayed into a later term is refused outright.
 *
 * Memory stays small: each origin declares (in the entry's envelope) the sequence number up
 * to which all its proposals are settled, and nothing at or below it is remembered — or
 * appended again. An origin silent for `WINDOW` committed entries is forgotten, and a proposal
 * dated (by the commit index its origin knew) before that window is refused rather than
 * risked.
 */
import type { Entry, ProposeMessage } from '../raft/types.ts';
import { decodeBatch, isBatch, type EnvelopeCodec, type EnvelopeOrigin } from './envelope.ts';

/** Committed entries after which a silent origin is forgotten. */
const WINDOW = 1 << 20;

interface OriginRecord {
  /** Every proposal up to here is settled at the origin. */
  floor: number;
  /** Proposals above the floor appended in this term. */
  readonly appended: Set<number>;
  /** The latest commit index the origin reported. */
  stamp: number;
}

export class ForwardedProposals {
  private term = -1;
  private readonly origins = new Map<string, OriginRecord>();
  private sinceSweep = 0;

  constructor(private readonly envelopes: EnvelopeCodec) {}

  /**
   * The entries of `message` this leader of `term` has not appended yet, with `commit` its
   * commit index; the count of entries dropped is in `dropped`.
   */
  admit(message: ProposeMessage, term: number, commit: number): { readonly entries: readonly Entry[]; readonly dropped: number } {
    if (term !== this.term) {
      this.term = term;
      this.origins.clear();
    }
    if (++this.sinceSweep >= 4096) this.sweep(commit);
    let kept: Entry[] | undefined;
    const entries = message.entries;
    for (let i = 0; i < entries.length; i++) {
      const fresh = this.admitEntry(entries[i]!, commit);
      if (fresh && kept !== undefined) kept.push(entries[i]!);
      else if (!fresh && kept === undefined) kept = entries.slice(0, i);
    }
    return kept === undefined ? { entries, dropped: 0 } : { entries: kept, dropped: entries.length - kept.length };
  }

  private admitEntry(entry: Entry, commit: number): boolean {
    if (entry.type !== 'normal') return true;
    let origin: EnvelopeOrigin | undefined;
    try {
      // A batch holds commands of one origin, appended or dropped together: its first tells.
      const first = isBatch(entry.data) ? decodeBatch(entry.data) : undefined;
      origin = first === undefined ? this.envelopes.peekOrigin(entry.data) : first.length === 0 ? undefined : this.envelopes.peekOrigin(entry.data, first[0], first[1]);
    } catch {
      return true; // not a RaftNode entry: the applier reports it
    }
    if (origin === undefined) return true;
    if (origin.stamp >= 0 && origin.stamp + WINDOW < commit) return false;
    const stamp = origin.stamp >= 0 ? origin.stamp : commit;
    let record = this.origins.get(origin.key);
    if (record === undefined) {
      record = { floor: 0, appended: new Set(), stamp };
      this.origins.set(origin.key, record);
    }
    if (origin.floor > record.floor) {
      record.floor = origin.floor;
      for (const seq of record.appended) if (seq <= record.floor) record.appended.delete(seq);
    }
    if (origin.seq <= record.floor || record.appended.has(origin.seq)) return false;
    record.appended.add(origin.seq);
    if (stamp > record.stamp) record.stamp = stamp;
    return true;
  }

  private sweep(commit: number): void {
    this.sinceSweep = 0;
    for (const [key, record] of this.origins) if (record.stamp + WINDOW < commit) this.origins.delete(key);
  }
}
