import type { NodeId, TransportHandlers } from '@webraft/core';
import { WebRTCMesh, type WebRTCMeshOptions } from './mesh.ts';
import { loadSimplePeer, type SimplePeerConstructor } from './peer-connection.ts';
import { resolveTransportOptions, TransportOptionsError, type ResolvedTransportOptions, type WebSocketTransportOptions } from './options.ts';
import { RelayTransportImpl, type DirectContext, type DirectPaths, type RelayTransport } from './transport.ts';
import { UnusableTransport } from './unusable.ts';

/**
 * A transport through a webraft relay. Works in browsers, Deno and Node (pass `WebSocket`
 * from `ws` on Node 20). Reconnects with exponential backoff and jitter; reports peers'
 * presence in the room through `handlers.reachability`, and its connection (with the cause of
 * every failed attempt) through `handlers.status`, `onStatus` and `status`. Options it cannot
 * work with make `start()` reject with a {@link TransportOptionsError} naming the option.
 */
export function webSocketTransport(options: WebSocketTransportOptions): RelayTransport {
  try {
    return new RelayTransportImpl(resolveTransportOptions(options));
  } catch (error) {
    if (error instanceof TransportOptionsError) return new UnusableTransport(options?.nodeId, error);
    throw error;
  }
}

export interface WebRTCTransportOptions extends WebSocketTransportOptions, WebRTCMeshOptions {}

export interface WebRTCTransport extends RelayTransport {
  /** Peers with an open data channel right now (the rest are reached through the relay). */
  readonly directPeers: readonly NodeId[];
  /** Closes the data channel to `peer` as if it broke (frames use the relay until it reopens); for demos and tests. */
  closeChannel(peer: NodeId): void;
}

/**
 * A mesh of WebRTC data channels, signalled through the relay. Frames go through the relay
 * until a peer's channel opens, and again whenever it is closed or backed up, or a frame is
 * too large for it.
 */
export function webRTCTransport(options: WebRTCTransportOptions): WebRTCTransport {
  const factory = 'webRTCTransport';
  try {
    const resolved = resolveTransportOptions(options, factory, true);
    const hasGlobalRTC = typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function';
    if (options.wrtc === undefined && !hasGlobalRTC) {
      throw new TransportOptionsError('wrtc', 'there is no WebRTC here: pass one (e.g. adaptWrtc(await import("node-datachannel/polyfill")))', factory);
    }
    return new WebRTCTransportImpl(resolved, options);
  } catch (error) {
    if (error instanceof TransportOptionsError) return new UnusableTransport(options?.nodeId, error);
    throw error;
  }
}

class WebRTCTransportImpl extends RelayTransportImpl implements WebRTCTransport {
  readonly #meshOptions: WebRTCMeshOptions;
  #mesh: WebRTCMesh | undefined;
  #Peer: SimplePeerConstructor | undefined;

  constructor(options: ResolvedTransportOptions, meshOptions: WebRTCMeshOptions) {
    super(options);
    this.#meshOptions = meshOptions;
  }

  get directPeers(): NodeId[] {
    return this.#mesh?.openChannels ?? [];
  }

  closeChannel(peer: NodeId): void {
    this.#mesh?.closeChannel(peer);
  }

  override async start(handlers: TransportHandlers): Promise<void> {
    this.#Peer ??= await loadSimplePeer();
    await super.start(handlers);
  }

  protected override createDirectPaths(context: DirectContext): DirectPaths {
    this.#mesh = new WebRTCMesh(context, this.#meshOptions, this.#Peer!);
    return this.#mesh;
  }
}
