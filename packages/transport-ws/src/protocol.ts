/**
 * The relay's own wire format: a thin envelope around the core codec's frames. The relay
 * reads only the envelope (kind and peer id); the Raft frame inside is opaque to it and,
 * when the cluster has a secret, authenticated end to end by the codec.
 *
 * Every envelope is one binary WebSocket message:
 *   byte 0        kind
 *   byte 1        length n of the peer id in UTF-8 bytes (0..64)
 *   bytes 2..2+n  peer id: the receiver when a client sends, the sender when the relay delivers
 *   the rest      payload
 *
 * A `batch` payload holds several codec frames for the same peer, each preceded by its length
 * (4 bytes, big-endian): a client sends everything a ready cycle produced for a peer in one
 * WebSocket message, so the per-message costs (syscalls, WebSocket framing, the relay's
 * routing and rate limit) are paid once per cycle instead of once per Raft message.
 */
import { Slab, type NodeId } from '@webraft/core';

export const EnvelopeKind = {
  /** A codec frame for one peer. */
  data: 1,
  /** WebRTC signalling (offer, answer, ICE candidate) for one peer; payload is JSON. */
  signal: 2,
  /** Relay → client: the peer joined (payload [1]) or left (payload [0]) the room. */
  presence: 3,
  /** Relay → client, first message after admission: payload is the JSON array of members. */
  welcome: 4,
  /** Client → relay: are you there? The relay answers with an empty `keepalive` of its own. */
  keepalive: 5,
  /** Several codec frames for one peer (see above); routed like `data`. */
  batch: 6,
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

export const maxPeerIdBytes = 64;
/** The most an envelope adds to its payload. */
export const maxEnvelopeOverhead = 2 + maxPeerIdBytes;

export interface Envelope {
  readonly kind: EnvelopeKind;
  readonly peer: NodeId;
  readonly payload: Uint8Array;
}

/** An envelope that cannot be read: too short, unknown kind, or a bad peer id. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const kinds = new Set<number>(Object.values(EnvelopeKind));

export function encodeEnvelope(kind: EnvelopeKind, peer: NodeId, payload: Uint8Array): Uint8Array {
  return encodeEnvelopeBytes(kind, peerIdBytes(peer), payload);
}

function encodeEnvelopeBytes(kind: EnvelopeKind, id: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = envelopeHeader(kind, id, payload.length);
  out.set(payload, 2 + id.length);
  return out;
}

/** An envelope of `payloadLength` bytes with its header filled in. */
function envelopeHeader(kind: EnvelopeKind, id: Uint8Array, payloadLength: number): Uint8Array {
  if (id.length > maxPeerIdBytes) throw new EnvelopeError(`peer id longer than ${maxPeerIdBytes} bytes`);
  const out = envelopeSlab.alloc(2 + id.length + payloadLength);
  out[0] = kind;
  out[1] = id.length;
  out.set(id, 2);
  return out;
}

/**
 * Small envelopes are carved out of shared slabs: V8 places every typed array of more than
 * 64 bytes in its own buffer outside the heap, which costs more (about 1.5 µs) than the rest
 * of the encoding. A region is handed out once only, so an envelope a socket still holds is
 * never overwritten; a full slab goes to the garbage collector with its last envelope.
 */
const envelopeSlab = new Slab(64 * 1024, 8 * 1024);

/**
 * Peer ids in UTF-8 and back, remembered: a node talks to the same few peers all along, and
 * every envelope names one. Bounded, so a stream of made-up ids cannot grow them.
 */
const idCacheSize = 256;
const encodedIds = new Map<NodeId, Uint8Array>();
const decodedIds: { bytes: Uint8Array; id: NodeId }[] = [];

function peerIdBytes(peer: NodeId): Uint8Array {
  let bytes = encodedIds.get(peer);
  if (bytes === undefined) {
    if (encodedIds.size >= idCacheSize) encodedIds.clear();
    bytes = encoder.encode(peer);
    encodedIds.set(peer, bytes);
  }
  return bytes;
}

/** The id in `bytes[start, end)`; throws {@link EnvelopeError} unless it is UTF-8. */
function readPeerId(bytes: Uint8Array, start: number, end: number): NodeId {
  const length = end - start;
  // Direct-mapped on length and last byte: one comparison finds a peer seen before.
  const slot = (length * 31 + (length > 0 ? bytes[end - 1]! : 0)) % idCacheSize;
  const cached = decodedIds[slot];
  if (cached !== undefined && cached.bytes.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.bytes[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached.id;
  }
  let id: NodeId;
  try {
    id = decoder.decode(bytes.subarray(start, end));
  } catch {
    throw new EnvelopeError('peer id is not UTF-8');
  }
  decodedIds[slot] = { bytes: bytes.slice(start, end), id };
  return id;
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < 2) throw new EnvelopeError('envelope shorter than its header');
  const kind = bytes[0]!;
  if (!kinds.has(kind)) throw new EnvelopeError(`unknown envelope kind ${kind}`);
  const idLength = bytes[1]!;
  if (idLength > maxPeerIdBytes) throw new EnvelopeError('peer id too long');
  if (bytes.length < 2 + idLength) throw new EnvelopeError('envelope truncated inside the peer id');
  return { kind: kind as EnvelopeKind, peer: readPeerId(bytes, 2, 2 + idLength), payload: bytes.subarray(2 + idLength) };
}

/** Bytes a frame adds to a `batch` payload. */
export const batchFrameOverhead = 4;

/** The `batch` payload of `frames`. */
export function packBatch(frames: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const frame of frames) size += batchFrameOverhead + frame.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const frame of frames) {
    view.setUint32(at, frame.length);
    out.set(frame, at + batchFrameOverhead);
    at += batchFrameOverhead + frame.length;
  }
  return out;
}

/**
 * A `batch` envelope to `peer` holding `frames[start, end)`: {@link encodeEnvelope} of
 * {@link packBatch}, written in one allocation.
 */
export function encodeBatchEnvelope(peer: NodeId, frames: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const id = peerIdBytes(peer);
  let size = 0;
  for (let i = start; i < end; i++) size += batchFrameOverhead + frames[i]!.length;
  const out = envelopeHeader(EnvelopeKind.batch, id, size);
  let at = 2 + id.length;
  for (let i = start; i < end; i++) {
    const frame = frames[i]!;
    const length = frame.length;
    out[at] = length >>> 24;
    out[at + 1] = (length >>> 16) & 0xff;
    out[at + 2] = (length >>> 8) & 0xff;
    out[at + 3] = length & 0xff;
    out.set(frame, at + batchFrameOverhead);
    at += batchFrameOverhead + length;
  }
  return out;
}

/** The frames of a `batch` payload (views into it); throws {@link EnvelopeError} if a length runs past the end. */
export function unpackBatch(payload: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let at = 0;
  while (at < payload.length) {
    if (at + batchFrameOverhead > payload.length) throw new EnvelopeError('batch truncated inside a length');
    const length = ((payload[at]! << 24) | (payload[at + 1]! << 16) | (payload[at + 2]! << 8) | payload[at + 3]!) >>> 0;
    at += batchFrameOverhead;
    if (length === 0 || at + length > payload.length) throw new EnvelopeError('batch frame length out of bounds');
    frames.push(payload.subarray(at, at + length));
    at += length;
  }
  return frames;
}

/**
 * Rewrites the peer field of a client's envelope (the receiver) into the sender, for
 * delivery. `bytes` is the envelope `envelope` was decoded from, owned by the caller: when
 * both ids have the same length it is rewritten in place instead of copied.
 */
export function readdressEnvelope(bytes: Uint8Array, envelope: Envelope, from: Uint8Array): Uint8Array {
  if (bytes[1] !== from.length) return encodeEnvelopeBytes(envelope.kind, from, envelope.payload);
  bytes.set(from, 2);
  return bytes;
}

/**
 * Close codes the relay uses. Codes in 4000–4099 mean "do not retry with the same
 * credentials", except 4009 (another connection took the node id: retry, and the relay admits
 * this one again once the id is free); codes in 4100–4199 mean "retry later".
 */
export const CloseCode = {
  /** The relay is shutting down. Retry. */
  goingAway: 1001,
  /** A frame exceeded `maxFrameBytes`. */
  tooBig: 1009,
  /** `room` or `node` missing or invalid in the URL. */
  badRequest: 4000,
  /** Token missing, invalid, expired or for another room/node, or `authorize` refused. */
  unauthorized: 4001,
  /** The page's Origin is not in `allowedOrigins`. */
  forbiddenOrigin: 4003,
  /**
   * A newer connection took this node id in the room after this one failed to answer a ping
   * in time (a socket that died silently, or a stalled one). Retry: while the other connection
   * lives, the relay refuses this one with `nodeIdInUse`.
   */
  replaced: 4009,
  /** `maxRooms` reached and the room does not exist yet. Retry later. */
  tooManyRooms: 4100,
  /** `maxMembersPerRoom` reached. Retry later. */
  roomFull: 4101,
  /** `maxConnections` reached. Retry later. */
  tooManyConnections: 4102,
  /** `maxConnectionsPerAddress` reached for the client's address. Retry later. */
  addressLimit: 4103,
  /** The client's queue stayed over `maxBufferedBytes` for `stallTimeoutMs`: it does not read. Retry. */
  slowConsumer: 4104,
  /** The relay is at its memory budget (`maxMemoryBytes`): it refused or dropped this connection. Retry later. */
  overloaded: 4105,
  /** A live connection (it answered a ping) holds this node id in the room. Retry later. */
  nodeIdInUse: 4106,
  /** A message stayed incomplete for `stallTimeoutMs`. Retry. */
  slowSender: 4107,
  /**
   * The relay shares its rooms with other relays through Redis and has lost Redis (or could
   * not renew its lease there): it cannot see the rest of the room, so it closes its clients
   * rather than split the room. Retry, preferably at another relay.
   */
  clusterUnavailable: 4108,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Whether a client should stop reconnecting after the relay closed with `code`. */
export function isFatalClose(code: number): boolean {
  return code >= 4000 && code < 4100 && code !== CloseCode.replaced;
}
