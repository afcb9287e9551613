import type SimplePeer from '@thaunknown/simple-peer/lite.js';
import type { NodeId, TransportHandlers } from '@webraft/core';
import { WebRTCMesh, type WebRTCMeshOptions } from './mesh.ts';
import { resolveTransportOptions, TransportOptionsError, type ResolvedTransportOptions, type WebSocketTransportOptions } from './options.ts';
import { RelayTransportImpl, type DirectContext, type DirectPaths, type RelayTransport } from './transport.ts';

/**
 * A transport through a webraft relay. Works in browsers, Deno and Node (pass `WebSocket`
 * from `ws` on Node 20). Reconnects with exponential backoff and jitter; reports peers'
 * presence in the room through `handlers.reachability`.
 */
export function webSocketTransport(options: WebSocketTransportOptions): RelayTransport {
  return new RelayTransportImpl(resolveTransportOptions(options));
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
  const hasGlobalRTC = typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function';
  if (options.wrtc === undefined && !hasGlobalRTC) {
    throw new TransportOptionsError('no WebRTC here: pass the `wrtc` option (e.g. adaptWrtc(node-datachannel/polyfill))');
  }
  return new WebRTCTransportImpl(resolveTransportOptions(options), options);
}

class WebRTCTransportImpl extends RelayTransportImpl implements WebRTCTransport {
  readonly #meshOptions: WebRTCMeshOptions;
  #mesh: WebRTCMesh | undefined;
  #Peer: typeof SimplePeer | undefined;

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

  // simple-peer is loaded only here, so code that uses just the WebSocket transport (a Web
  // Worker, say, where its dependencies do not even load) never evaluates it.
  override async start(handlers: TransportHandlers): Promise<void> {
    this.#Peer ??= (await import('@thaunknown/simple-peer/lite.js')).default;
    await super.start(handlers);
  }

  protected override createDirectPaths(context: DirectContext): DirectPaths {
    this.#mesh = new WebRTCMesh(context, this.#meshOptions, this.#Peer!);
    return this.#mesh;
  }
}
