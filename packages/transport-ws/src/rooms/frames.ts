/**
 * The relay's side of the envelope protocol, on any runtime: what it says on its own (welcome,
 * presence, keepalive replies) and what it does with each message a member sends. The Node
 * relay, the Durable Object relay and the Deno relay all decide through these, so a frame is
 * forwarded, dropped or refused for the same reasons everywhere.
 */
import type { NodeId } from '@webraft/core';
import type { FaultTable } from '../faults.ts';
import { decodeEnvelope, encodeEnvelope, type Envelope, EnvelopeError, EnvelopeKind, readdressEnvelope } from '../protocol.ts';
import type { TokenBucket } from './token-bucket.ts';

const encoder = new TextEncoder();

/** The first message of an admitted member: the others in the room. */
export function welcomeEnvelope(others: readonly NodeId[]): Uint8Array {
  return encodeEnvelope(EnvelopeKind.welcome, '', encoder.encode(JSON.stringify(others)));
}

/** `peer` joined (`present`) or left the room. */
export function presenceEnvelope(peer: NodeId, present: boolean): Uint8Array {
  return encodeEnvelope(EnvelopeKind.presence, peer, Uint8Array.of(present ? 1 : 0));
}

/** The relay's answer to a keepalive. */
export const keepaliveReply: Uint8Array = encodeEnvelope(EnvelopeKind.keepalive, '', new Uint8Array(0));

/**
 * Keepalives within this long of the last reply get none of their own: a client asks only
 * after `keepAliveMs` of silence (tests use 50 ms), so one asking faster is flooding.
 */
const keepaliveReplyMs = 20;

/**
 * Whether a keepalive gets a reply of its own. Bytes already queued for the client tell it the
 * relay is there as well as a reply would, and so does a reply sent moments ago: a flood of
 * keepalives gets at most 50 replies a second.
 */
export function answersKeepalive(lastAnsweredAt: number, now: number, queuedBytes: number): boolean {
  return now - lastAnsweredAt >= keepaliveReplyMs && queuedBytes === 0;
}

/** The member a message came from, as {@link readClientFrame} needs it. */
export interface FrameSender {
  readonly node: NodeId;
  /** Its node id in UTF-8, stamped on what it sends. */
  readonly idBytes: Uint8Array;
  /** Its frames per second (`maxFramesPerSecond`). */
  readonly frames: TokenBucket;
}

/** Why a message is not forwarded: `malformed` counts under `rejected`, the rest under `dropped`. */
export type FrameDrop = 'malformed' | 'rateLimited' | 'unknownPeer' | 'fault';

export type FrameVerdict =
  | { readonly action: 'keepalive' }
  | { readonly action: 'drop'; readonly cause: FrameDrop }
  /** Deliver `frame` (readdressed to the sender) to `to`, after `delayMs` (0: now). */
  | { readonly action: 'forward'; readonly to: NodeId; readonly frame: Uint8Array; readonly delayMs: number };

const malformed: FrameVerdict = Object.freeze({ action: 'drop', cause: 'malformed' });
const rateLimited: FrameVerdict = Object.freeze({ action: 'drop', cause: 'rateLimited' });
const unknownPeer: FrameVerdict = Object.freeze({ action: 'drop', cause: 'unknownPeer' });
const cutByFault: FrameVerdict = Object.freeze({ action: 'drop', cause: 'fault' });
const keepalive: FrameVerdict = Object.freeze({ action: 'keepalive' });

/**
 * What to do with one WebSocket message from a member of a room: `bytes` is the binary
 * message (owned by the caller: it may be rewritten in place), or undefined for a text one;
 * `inRoom` says whether a node is in the sender's room; `faults` the room's fault table, where
 * the relay has one.
 */
export function readClientFrame(
  bytes: Uint8Array | undefined,
  sender: FrameSender,
  inRoom: (node: NodeId) => boolean,
  now: number,
  faults?: FaultTable,
): FrameVerdict {
  if (bytes === undefined) return malformed;
  if (!sender.frames.take(now)) return rateLimited;
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(bytes);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return malformed;
  }
  if (envelope.kind === EnvelopeKind.keepalive) return keepalive;
  if (envelope.kind !== EnvelopeKind.data && envelope.kind !== EnvelopeKind.batch && envelope.kind !== EnvelopeKind.signal) return malformed;
  const to = envelope.peer;
  if (to === sender.node || !inRoom(to)) return unknownPeer;
  const verdict = faults?.decide(sender.node, to);
  if (verdict?.drop === true) return cutByFault;
  return { action: 'forward', to, frame: readdressEnvelope(bytes, envelope, sender.idBytes), delayMs: verdict?.delayMs ?? 0 };
}
