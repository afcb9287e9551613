/** The core codec's frames, bound to this cluster; the only place the transports touch the codec. */
import { CodecError, frameCodec, type FrameCodec, type Rejection } from '@webraft/core';

export interface Framing extends FrameCodec {
  /** The rejection to report for an error thrown by `decode`. */
  rejection(error: unknown): Rejection;
}

export function createFraming(options: { clusterId: string; secret: string | Uint8Array | undefined; maxFrameBytes: number }): Framing {
  const { clusterId, maxFrameBytes } = options;
  const codec = frameCodec({ clusterId, maxFrameBytes, ...(options.secret !== undefined && { secret: options.secret }) });
  return {
    ...codec,
    rejection: (error) =>
      error instanceof CodecError ? error.toRejection() : { reason: 'decode', detail: error instanceof Error ? error.message : String(error) },
  };
}
