/**
 * Raft messages between the nodes of a tab store: every node listens on a BroadcastChannel of
 * its own, and a message is posted on its recipient's channel, so a frame reaches only the
 * context that runs the recipient — not all the tabs, as one shared channel would (with 50
 * tabs open that is 50 times fewer deliveries). Frames go through the core's codec: malformed,
 * foreign or (with a secret) unauthenticated input is refused and reported, never delivered.
 */
import { CodecError, DecodeError, decodeFrame, decodeFrameSync, encodeFrame, encodeFrameSync } from '@webraft/core';
import type { FrameSecret, Message, NodeId, Rejection, Transport, TransportHandlers } from '@webraft/core';

export interface TabTransportOptions {
  readonly id: NodeId;
  /** Names the channels; frames of another store are refused. */
  readonly store: string;
  readonly channelName: (node: NodeId) => string;
  readonly secret?: FrameSecret;
  readonly BroadcastChannel?: typeof BroadcastChannel;
}

/** Channels to recipients kept open at most; the least recently used one is closed past it. */
const MAX_OPEN_CHANNELS = 64;

export function tabTransport(options: TabTransportOptions): Transport {
  const { id, store, secret } = options;
  const Channel = options.BroadcastChannel ?? globalThis.BroadcastChannel;
  let inbox: BroadcastChannel | undefined;
  let handlers: TransportHandlers | undefined;
  let closed = false;
  const outboxes = new Map<NodeId, BroadcastChannel>();
  // With a secret, signing and checking are async: chaining only the hand-over keeps order.
  let sending: Promise<unknown> = Promise.resolve();
  let receiving: Promise<unknown> = Promise.resolve();

  const reject = (error: unknown): void => {
    const rejection: Rejection = error instanceof CodecError ? error.toRejection() : { reason: 'decode', detail: `undecodable frame: ${String(error)}` };
    handlers?.rejected?.(rejection);
  };

  const deliver = (message: Message): void => {
    if (closed || handlers === undefined) return;
    try {
      handlers.message(message);
    } catch (error) {
      // The node's own bug: surface it, keep receiving.
      queueMicrotask(() => {
        throw error;
      });
    }
  };

  const receive = (data: unknown): void => {
    if (closed || handlers === undefined) return;
    if (!(data instanceof Uint8Array)) {
      reject(new DecodeError('decode', 'a frame must be a Uint8Array'));
      return;
    }
    if (secret === undefined) {
      try {
        deliver(decodeFrameSync(data, { clusterId: store, to: id }).message);
      } catch (error) {
        reject(error);
      }
      return;
    }
    const decoded = decodeFrame(data, { clusterId: store, to: id, secret });
    decoded.catch(() => undefined);
    receiving = receiving.then(() => decoded).then((frame) => deliver(frame.message), reject);
  };

  const outbox = (to: NodeId): BroadcastChannel => {
    let channel = outboxes.get(to);
    if (channel !== undefined) {
      outboxes.delete(to);
    } else {
      channel = new Channel(options.channelName(to));
      if (outboxes.size >= MAX_OPEN_CHANNELS) {
        const [oldest, old] = outboxes.entries().next().value as [NodeId, BroadcastChannel];
        outboxes.delete(oldest);
        old.close();
      }
    }
    outboxes.set(to, channel);
    return channel;
  };

  const post = (to: NodeId, bytes: Uint8Array): void => {
    if (!closed) outbox(to).postMessage(bytes);
  };

  return {
    id,
    start(next) {
      if (closed || inbox !== undefined) return;
      handlers = next;
      inbox = new Channel(options.channelName(id));
      inbox.onmessage = (event) => receive(event.data);
      inbox.onmessageerror = () => reject(new DecodeError('decode', 'a frame could not be deserialized'));
    },
    send(message) {
      if (closed || inbox === undefined || message.from !== id) return;
      if (secret === undefined) {
        let bytes: Uint8Array;
        try {
          bytes = encodeFrameSync({ clusterId: store, message });
        } catch (error) {
          reject(error);
          return;
        }
        post(message.to, bytes);
        return;
      }
      const encoded = encodeFrame({ clusterId: store, message }, { secret });
      encoded.catch(() => undefined);
      sending = sending.then(() => encoded).then((bytes) => post(message.to, bytes), reject);
    },
    async close() {
      closed = true;
      inbox?.close();
      for (const channel of outboxes.values()) channel.close();
      outboxes.clear();
    },
  };
}
