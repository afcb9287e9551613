import { systemClock, type Clock, type NodeId } from '@webraft/core';
import { FaultTable } from '../faults.ts';
import type { BackoffOptions } from './backoff.ts';
import { checkTransportOptions, TransportOptionsError } from './option-checks.ts';
import type { RelayRefusedError, RelayStatus, WebSocketConstructor } from './relay-link.ts';

export interface WebSocketTransportOptions {
  /**
   * The relay's URL, `ws://` or `wss://`; or several relays sharing rooms (through Redis): the
   * node connects to the first, and after a failed attempt or a lost connection tries the next.
   */
  readonly url: string | readonly string[];
  /** The room: one per cluster. */
  readonly room: string;
  readonly nodeId: NodeId;
  /** A room token (see `mintRoomToken`), or a function returning a fresh one before each connection attempt. */
  readonly token?: string | (() => string | Promise<string>);
  /**
   * The cluster's shared secret. When set, every frame carries an HMAC (WebCrypto) and frames
   * without a valid one are rejected, so neither the relay nor anyone without the secret can
   * inject or alter messages. Every member must use the same secret.
   */
  readonly secret?: string | Uint8Array;
  /** The codec's cluster id; frames of another cluster are rejected. @default room */
  readonly clusterId?: string;
  /** The WebSocket class. @default globalThis.WebSocket (browsers, Deno, Node ≥ 22); on Node 20 pass `ws`'s */
  readonly WebSocket?: WebSocketConstructor;
  /** The relay's `maxFrameBytes`: larger outgoing messages are dropped and counted, larger incoming ones rejected. @default 2 MiB */
  readonly maxFrameBytes?: number;
  /** While more than this many bytes wait in the socket, outgoing frames are dropped and counted. @default 8 MiB */
  readonly maxBufferedBytes?: number;
  /** Reconnect delays. @default { initialMs: 250, maxMs: 10000, factor: 2, jitter: 0.5 } */
  readonly backoff?: BackoffOptions;
  /** `start()` resolves after this long even if the relay has not admitted the node yet (it keeps trying). @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Silence from the relay after which the link checks it is still there, and as long again before it reconnects. @default 15000 */
  readonly keepAliveMs?: number;
  /** Random source for backoff jitter and fault injection. @default Math.random */
  readonly random?: () => number;
  /** Timers and time, for tests and hidden tabs. @default the system clock */
  readonly clock?: Clock;
  /** Fault table applied to this node's links (both directions). @default a new, empty one */
  readonly faults?: FaultTable;
  /**
   * Called when the relay refuses this node for good after `start` (say, a token that expired
   * before a reconnect): the transport stops reconnecting. A refusal during `start` rejects
   * `start` instead.
   */
  readonly onRefused?: (error: RelayRefusedError) => void;
  /**
   * Called whenever `transport.status` changes: admitted, connecting again after a drop,
   * displaced (another connection holds this node id: 4009 or 4106; the transport keeps
   * trying), refused for good, closed.
   */
  readonly onStatus?: (status: RelayStatus) => void;
}

type Callbacks = 'token' | 'secret' | 'onRefused' | 'onStatus';
export type ResolvedTransportOptions = Required<Omit<WebSocketTransportOptions, Callbacks>> & Pick<WebSocketTransportOptions, Callbacks>;

export { TransportOptionsError };

/**
 * The options with their defaults; throws a {@link TransportOptionsError} naming the first
 * option `factory` cannot work with (`mesh`: the WebRTC options too).
 */
export function resolveTransportOptions(options: WebSocketTransportOptions, factory = 'webSocketTransport', mesh = false): ResolvedTransportOptions {
  checkTransportOptions(options, factory, mesh);
  const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocket === undefined) {
    throw new TransportOptionsError('WebSocket', 'there is no global WebSocket here (Node 20): pass `WebSocket` from the `ws` package', factory);
  }
  const random = options.random ?? Math.random;
  return {
    ...options,
    clusterId: options.clusterId ?? options.room,
    WebSocket,
    maxFrameBytes: options.maxFrameBytes ?? 2 * 1024 * 1024,
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
    backoff: options.backoff ?? {},
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    keepAliveMs: options.keepAliveMs ?? 15_000,
    random,
    clock: options.clock ?? systemClock,
    faults: options.faults ?? new FaultTable(random),
  };
}
