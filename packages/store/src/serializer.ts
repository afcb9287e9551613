/**
 * How the state becomes snapshot bytes and back. A module of its own so that the page side of
 * the tab store, which needs only this, does not reach `@webraft/core`'s RaftNode.
 */

/** Turns the state into snapshot bytes and back. The default is JSON. */
export interface StateSerializer<S> {
  serialize(state: S): Uint8Array;
  deserialize(bytes: Uint8Array): S;
}

export function jsonStateSerializer<S>(): StateSerializer<S> {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    serialize: (state) => encoder.encode(JSON.stringify(state)),
    deserialize: (bytes) => JSON.parse(decoder.decode(bytes)) as S,
  };
}
