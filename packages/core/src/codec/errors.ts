import type { NodeId, RejectReason, Rejection } from '../raft/types.ts';

/** A codec failure; `reason` is the {@link RejectReason} a transport reports for it. */
export class CodecError extends Error {
  readonly reason: RejectReason;
  /** The sender the input claimed to come from, when it could be read (unverified). */
  readonly from: NodeId | undefined;

  constructor(reason: RejectReason, message: string, from?: NodeId) {
    super(message);
    this.name = 'CodecError';
    this.reason = reason;
    this.from = from;
  }

  /** The rejection a transport hands to `TransportHandlers.rejected`. */
  toRejection(): Rejection & { readonly from?: NodeId } {
    return this.from === undefined
      ? { reason: this.reason, detail: this.message }
      : { reason: this.reason, detail: this.message, from: this.from };
  }
}

/**
 * Input that is not a valid frame or message: malformed, truncated, oversized, of an unknown
 * version or type, of the wrong cluster or recipient, or failing authentication. Decoding
 * throws nothing else, and never returns a partly built message.
 */
export class DecodeError extends CodecError {
  constructor(reason: RejectReason, message: string, from?: NodeId) {
    super(reason, message, from);
    this.name = 'DecodeError';
  }
}

/** A message that cannot be put on the wire (a field out of range, an id too long, too big a frame). */
export class EncodeError extends CodecError {
  constructor(reason: RejectReason, message: string) {
    super(reason, message);
    this.name = 'EncodeError';
  }
}
