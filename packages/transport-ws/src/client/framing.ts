/** The core codec's frames, bound to this cluster; the only place the transports touch the codec. */
import { CodecError, decodeFrameSync, encodeFrameSync, frameCodec, type FrameCodec, type Message, type NodeId, type Rejection } from '@webraft/core';

export interface Framing extends FrameCodec {
  /** The rejection to report for an error thrown by `decode`. */
  rejection(error: unknown): Rejection;
}

export function createFraming(options: { clusterId: string; secret: string | Uint8Array | undefined; maxFrameBytes: number }): Framing {
  const { clusterId, maxFrameBytes } = options;
  const codec = frameCodec({ clusterId, maxFrameBytes, ...(options.secret !== undefined && { secret: options.secret }) });
  const rejection = (error: unknown): Rejection =>
    error instanceof CodecError ? error.toRejection() : { reason: 'decode', detail: error instanceof Error ? error.message : String(error) };
  if (options.secret !== undefined) return { ...codec, rejection };
  // The same calls as the codec's own sync pair, with their options built once instead of
  // spread together on every frame: that spreading took most of a small frame's decode time.
  const encodeOptions = { maxFrameBytes };
  const anyRecipient = { maxFrameBytes, clusterId };
  let recipient = { maxFrameBytes, clusterId, to: '' };
  return {
    ...codec,
    rejection,
    encodeSync: (message: Message) => encodeFrameSync({ clusterId, message }, encodeOptions),
    decodeSync: (bytes: Uint8Array | ArrayBuffer, to?: NodeId) => {
      if (to === undefined) return decodeFrameSync(bytes, anyRecipient).message;
      if (recipient.to !== to) recipient = { maxFrameBytes, clusterId, to };
      return decodeFrameSync(bytes, recipient).message;
    },
  };
}
