export { CodecError, DecodeError, EncodeError } from './errors.ts';
export { MAX_ID_BYTES } from './bytes.ts';
export { encodeMessage, decodeMessage } from './message.ts';
export {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  decodeFrame,
  decodeFrameSync,
  encodeFrame,
  encodeFrameSync,
  frameCodec,
  peekFrame,
} from './frame.ts';
export type { DecodeFrameOptions, Frame, FrameCodec, FrameHeader, FrameOptions } from './frame.ts';
export { frameKey } from './auth.ts';
export type { FrameSecret } from './auth.ts';
