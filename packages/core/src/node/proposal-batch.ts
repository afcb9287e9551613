/**
 * Commands waiting for the next ready cycle, to be proposed as batch entries (RaftNode's
 * `maxBatchCommands`). Parallel arrays, so collecting a command allocates nothing of its own.
 */
import { batchSize, writeBatchHeader, writeBatchItemLength, type EnvelopeCodec, type EnvelopeSession } from './envelope.ts';

/** A batch entry stays well below the core's default `maxSizePerMsg` (1 MiB). */
const maxBatchBytes = 256 * 1024;

export class ProposalBatch {
  private seqs: number[] = [];
  /** `undefined`: a session registration. */
  private payloads: (Uint8Array | undefined)[] = [];
  private sessions: (EnvelopeSession | undefined)[] = [];
  /** Envelope sizes, measured when the batch is drained (the codec's fence may change until then). */
  private readonly sizes: number[] = [];

  get length(): number {
    return this.seqs.length;
  }

  push(seq: number, payload: Uint8Array | undefined, session: EnvelopeSession | undefined): void {
    this.seqs.push(seq);
    this.payloads.push(payload);
    this.sessions.push(session);
  }

  clear(): void {
    this.seqs = [];
    this.payloads = [];
    this.sessions = [];
  }

  /**
   * Empties the batch into entries of at most `maxCommands` commands and 256 KiB; `propose`
   * gets each entry's bytes and the range of `seqs` it carries.
   */
  drain(
    maxCommands: number,
    envelopes: EnvelopeCodec,
    propose: (data: Uint8Array, seqs: readonly number[], start: number, end: number) => void,
  ): void {
    const { seqs, payloads, sessions, sizes } = this;
    this.clear();
    sizes.length = seqs.length;
    for (let i = 0; i < seqs.length; i++) sizes[i] = envelopes.size(seqs[i]!, payloads[i], sessions[i]);
    let start = 0;
    while (start < seqs.length) {
      let end = start + 1;
      let bytes = sizes[start]!;
      while (end < seqs.length && end - start < maxCommands && bytes + sizes[end]! <= maxBatchBytes) bytes += sizes[end++]!;
      let data: Uint8Array;
      if (end - start === 1) {
        data = envelopes.encode(seqs[start]!, payloads[start], sessions[start]);
      } else {
        data = envelopes.alloc(batchSize(sizes, start, end));
        let pos = writeBatchHeader(data, end - start);
        for (let i = start; i < end; i++) {
          pos = writeBatchItemLength(data, pos, sizes[i]!);
          pos = envelopes.write(data, pos, seqs[i]!, payloads[i], sessions[i]);
        }
      }
      propose(data, seqs, start, end);
      start = end;
    }
  }
}
