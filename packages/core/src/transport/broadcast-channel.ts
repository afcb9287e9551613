/**
 * Raft between tabs (or workers) of one origin through a BroadcastChannel: no server at all.
 * Every node of a cluster opens the same channel; each frame reaches every other node, which
 * keeps only those addressed to it. Frames go through the codec, so malformed, foreign,
 * oversized or (with a secret) unauthenticated input is refused and reported, never delivered.
 */
import { CodecError, DecodeError } from '../codec/errors.ts';
import type { FrameSecret } from '../codec/auth.ts';
import { decodeFrame, encodeFrame, peekFrame, type DecodeFrameOptions, type FrameOptions } from '../codec/frame.ts';
import type { Message, NodeId, Rejection } from '../raft/types.ts';
import type { Transport, TransportHandlers } from './transport.ts';

/** The part of the BroadcastChannel API this transport uses. */
export interface BroadcastChannelLike {
  postMessage(data: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

export interface BroadcastChannelTransportOptions {
  /** Name of the channel every node of the cluster opens. */
  readonly channel: string;
  /** This node's id. */
  readonly nodeId?: NodeId;
  /** Same as `nodeId` (the name `Transport` uses); give one of the two. */
  readonly id?: NodeId;
  /** Frames of other clusters on the same channel are refused. @default '' */
  readonly clusterId?: string;
  /** Authenticate every frame with HMAC-SHA-256 under this shared secret. @default none (tabs of one origin trust each other) */
  readonly secret?: FrameSecret;
  /** Largest frame sent or accepted. @default 16 MiB */
  readonly maxFrameBytes?: number;
  /** The channel implementation. @default globalThis.BroadcastChannel */
  readonly BroadcastChannel?: BroadcastChannelConstructor;
}

export interface BroadcastChannelTransportStats {
  /** Frames posted. */
  sent: number;
  /** Messages delivered to this node. */
  delivered: number;
  /** Input refused (and reported to `handlers.rejected`). */
  rejected: number;
  /** Frames for other nodes, skipped. */
  ignored: number;
  /** Outgoing messages not sent: before start, after close, not encodable, or with another node's `from`. */
  dropped: number;
}

export interface BroadcastChannelTransport extends Transport {
  readonly stats: Readonly<BroadcastChannelTransportStats>;
}

export function broadcastChannelTransport(options: BroadcastChannelTransportOptions): BroadcastChannelTransport {
  const id = options.nodeId ?? options.id;
  if (typeof id !== 'string' || id === '') throw new TypeError('broadcastChannelTransport needs a non-empty nodeId');
  const Channel = options.BroadcastChannel ?? (globalThis as { BroadcastChannel?: BroadcastChannelConstructor }).BroadcastChannel;
  if (Channel === undefined) throw new TypeError('BroadcastChannel is not available here; pass options.BroadcastChannel');
  const clusterId = options.clusterId ?? '';
  const limits: FrameOptions = options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes };
  const framing: FrameOptions = options.secret === undefined ? limits : { ...limits, secret: options.secret };
  const decoding: DecodeFrameOptions = { ...framing, clusterId, to: id };
  const stats: BroadcastChannelTransportStats = { sent: 0, delivered: 0, rejected: 0, ignored: 0, dropped: 0 };
  let channel: BroadcastChannelLike | undefined;
  let handlers: TransportHandlers | undefined;
  let closed = false;
  // Encoding and verification are async (WebCrypto) and may finish out of order; chaining only
  // the hand-over keeps per-sender order while the crypto runs in parallel.
  let sending: Promise<unknown> = Promise.resolve();
  let receiving: Promise<unknown> = Promise.resolve();

  const reject = (rejection: Rejection & { readonly from?: NodeId }): void => {
    stats.rejected++;
    handlers?.rejected?.(rejection);
  };

  const refusal = (error: unknown): Rejection & { readonly from?: NodeId } =>
    error instanceof CodecError ? error.toRejection() : { reason: 'decode', detail: `undecodable frame: ${String(error)}` };

  const receive = (data: unknown): void => {
    if (closed || handlers === undefined) return;
    let to: NodeId;
    try {
      if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
        throw new DecodeError('decode', 'a frame must be a Uint8Array or ArrayBuffer');
      }
      to = peekFrame(data, limits).to;
    } catch (error) {
      reject(refusal(error));
      return;
    }
    if (to !== id) {
      stats.ignored++;
      return;
    }
    const decoded = decodeFrame(data, decoding).then((frame) => frame.message);
    // Handled below once the chain reaches it; marking it now avoids an unhandled-rejection report meanwhile.
    decoded.catch(ignore);
    receiving = receiving
      .then(() => decoded)
      .then(
        (message) => {
          if (closed || handlers === undefined) return;
          stats.delivered++;
          try {
            handlers.message(message);
          } catch (error) {
            // The node's own bug: surface it, but keep the receive chain alive for later frames.
            queueMicrotask(() => {
              throw error;
            });
          }
        },
        (error: unknown) => {
          if (!closed) reject(refusal(error));
        },
      );
  };

  return {
    id,
    stats,
    start(next) {
      if (closed || channel !== undefined) return;
      handlers = next;
      channel = new Channel(options.channel);
      channel.onmessage = (event) => receive(event.data);
      channel.onmessageerror = () => reject({ reason: 'decode', detail: 'a frame could not be deserialized' });
    },
    send(message: Message) {
      if (closed || channel === undefined) {
        stats.dropped++;
        return;
      }
      if (message.from !== id) {
        stats.dropped++;
        handlers?.rejected?.({ reason: 'auth', detail: `refused to send a message claiming to be from ${String(message.from)}` });
        return;
      }
      const encoded = encodeFrame({ clusterId, message }, framing);
      encoded.catch(ignore);
      sending = sending
        .then(() => encoded)
        .then(
          (bytes) => {
            if (closed) return;
            try {
              channel!.postMessage(bytes);
              stats.sent++;
            } catch {
              // A network failure in the Transport sense: the message is lost, never thrown at the caller.
              stats.dropped++;
            }
          },
          (error: unknown) => {
            stats.dropped++;
            // Not network input, but reported the same way so a bad outgoing message is seen, not lost silently.
            handlers?.rejected?.({ ...refusal(error), detail: `message to ${String(message.to)} not sent: ${String((error as Error)?.message ?? error)}` });
          },
        );
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers = undefined;
      channel?.close();
      channel = undefined;
    },
  };
}

function ignore(): void {}
