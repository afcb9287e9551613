import type { CommandCodec } from './state-machine.ts';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The default command and result codec: JSON text in UTF-8. `undefined` (a state machine
 * that returns nothing) travels as zero bytes.
 */
export function jsonCodec<T>(): CommandCodec<T> {
  return {
    encode: (value: T) => (value === undefined ? new Uint8Array(0) : utf8.encode(JSON.stringify(value))),
    decode: (bytes: Uint8Array) => (bytes.length === 0 ? undefined : JSON.parse(utf8Decoder.decode(bytes))) as T,
  };
}

/**
 * Commands that already are bytes, passed through untouched (no copy). On apply a command is
 * a view into a buffer shared with other entries: `slice()` it before transferring it, or to
 * keep it without holding that buffer.
 */
export const bytesCodec: CommandCodec<Uint8Array> = /* @__PURE__ */ Object.freeze({
  encode: (command: Uint8Array) => command,
  decode: (bytes: Uint8Array) => bytes,
});
