/**
 * The WebRTC mesh: one data channel per pair of nodes, signalled through the relay. The
 * node with the smaller id offers, so two nodes never offer to each other at once. A node
 * that has no channel to a peer (it just loaded, or its channel broke) asks the offering
 * side for a fresh one with a `hello`, which is how a reloaded page gets reconnected.
 * Channels outlive the relay connection: a relay restart does not break them.
 */
import type { NodeId } from '@webraft/core';
import { Backoff, type BackoffOptions } from './backoff.ts';
import type { SimplePeer, SimplePeerConstructor } from './peer-connection.ts';
import type { DirectContext, DirectPaths } from './transport.ts';
import type { WrtcLike } from './wrtc.ts';

export interface WebRTCMeshOptions {
  /** STUN/TURN servers; loopback and most LANs need none. @default [] */
  readonly iceServers?: readonly { urls: string | string[]; username?: string; credential?: string }[];
  /** A WebRTC implementation where there is no global one (Node: `adaptWrtc(nodeDataChannelPolyfill)`). */
  readonly wrtc?: WrtcLike;
  /** A channel not open this long after the offer is torn down and retried. @default 15000 */
  readonly channelConnectTimeoutMs?: number;
  /** Frames larger than this go through the relay (SCTP message size limits). @default 65536 */
  readonly maxChannelMessageBytes?: number;
  /** While more than this many bytes wait in a channel, frames go through the relay. @default 4 MiB */
  readonly maxChannelBufferedBytes?: number;
  /** Delays between attempts to (re)open a channel to one peer. @default { initialMs: 500, maxMs: 30000 } */
  readonly retry?: BackoffOptions;
}

interface Connection {
  readonly sid: string;
  readonly peer: SimplePeer;
  open: boolean;
  timer: unknown;
}

/** A signalling message: an offer/answer/candidate of session `sid`, or a request for a new session. */
type Signal = { readonly sid: string; readonly data: unknown } | { readonly hello: true };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class WebRTCMesh implements DirectPaths {
  readonly #ctx: DirectContext;
  readonly #opts: WebRTCMeshOptions;
  readonly #Peer: SimplePeerConstructor;
  readonly #connections = new Map<NodeId, Connection>();
  readonly #retries = new Map<NodeId, { backoff: Backoff; timer: unknown }>();
  #closed = false;

  constructor(
    context: DirectContext,
    options: WebRTCMeshOptions,
    Peer: SimplePeerConstructor,
  ) {
    this.#ctx = context;
    this.#opts = options;
    this.#Peer = Peer;
  }

  /** Peers with an open data channel. */
  get openChannels(): NodeId[] {
    return [...this.#connections].filter(([, c]) => c.open).map(([peer]) => peer);
  }

  send(to: NodeId, frame: Uint8Array): boolean {
    const connection = this.#connections.get(to);
    if (connection === undefined || !connection.open || !connection.peer.connected) return false;
    if (frame.length > (this.#opts.maxChannelMessageBytes ?? 65_536)) return false;
    if (connection.peer.bufferSize > (this.#opts.maxChannelBufferedBytes ?? 4 * 1024 * 1024)) return false;
    try {
      connection.peer.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  presence(peer: NodeId, present: boolean): void {
    if (this.#closed) return;
    const connection = this.#connections.get(peer);
    if (!present) {
      // An open channel may well outlive the peer's relay connection; it reports its own end.
      if (connection !== undefined && !connection.open) this.#teardown(peer);
      this.#cancelRetry(peer);
      return;
    }
    if (connection !== undefined) return;
    this.#reach(peer);
  }

  signal(from: NodeId, payload: Uint8Array): void {
    if (this.#closed) return;
    const signal = parseSignal(payload);
    if (signal === undefined) return;
    if ('hello' in signal) {
      if (!this.#offers(from)) return;
      this.#teardown(from);
      this.#connect(from, newSessionId(this.#ctx.random));
      return;
    }
    let connection = this.#connections.get(from);
    if (connection?.sid !== signal.sid) {
      // Only the answering side accepts a new session; the offering side ignores stale answers.
      if (this.#offers(from)) return;
      this.#teardown(from);
      connection = this.#connect(from, signal.sid);
    }
    try {
      connection?.peer.signal(signal.data);
    } catch {
      this.#fail(from, connection);
    }
  }

  /** Closes the channel to `peer` as if it had broken; it is reopened like any broken channel. */
  closeChannel(peer: NodeId): void {
    this.#fail(peer, this.#connections.get(peer));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const peer of [...this.#connections.keys()]) this.#teardown(peer);
    for (const peer of [...this.#retries.keys()]) this.#cancelRetry(peer);
  }

  #offers(peer: NodeId): boolean {
    return this.#ctx.nodeId < peer;
  }

  /** Opens a channel to `peer`: offer if this node is the offering side, else ask for an offer. */
  #reach(peer: NodeId): void {
    if (this.#offers(peer)) this.#connect(peer, newSessionId(this.#ctx.random));
    else this.#ctx.signal(peer, encodeSignal({ hello: true }));
  }

  #connect(peer: NodeId, sid: string): Connection | undefined {
    let simplePeer: SimplePeer;
    try {
      simplePeer = new this.#Peer({
        initiator: this.#offers(peer),
        trickle: true,
        config: { iceServers: this.#opts.iceServers ?? [] },
        ...(this.#opts.wrtc !== undefined && { wrtc: this.#opts.wrtc }),
      });
    } catch {
      this.#scheduleRetry(peer);
      return undefined;
    }
    const connection: Connection = { sid, peer: simplePeer, open: false, timer: undefined };
    this.#connections.set(peer, connection);
    connection.timer = this.#ctx.clock.setTimeout(
      () => this.#fail(peer, connection),
      this.#opts.channelConnectTimeoutMs ?? 15_000,
    );
    simplePeer.on('signal', (data) => {
      if (this.#connections.get(peer) === connection) this.#ctx.signal(peer, encodeSignal({ sid, data }));
    });
    simplePeer.on('connect', () => {
      if (this.#connections.get(peer) !== connection) return;
      connection.open = true;
      this.#ctx.clock.clearTimeout(connection.timer);
      this.#retries.get(peer)?.backoff.reset();
    });
    simplePeer.on('data', (data) => {
      if (this.#connections.get(peer) === connection) this.#ctx.deliver(peer, data);
    });
    simplePeer.on('error', () => this.#fail(peer, connection));
    simplePeer.on('close', () => this.#fail(peer, connection));
    return connection;
  }

  /** The channel broke or never opened: drop it and, while the peer is around, try again later. */
  #fail(peer: NodeId, connection: Connection | undefined): void {
    if (connection === undefined || this.#connections.get(peer) !== connection) return;
    this.#teardown(peer);
    this.#scheduleRetry(peer);
  }

  #scheduleRetry(peer: NodeId): void {
    if (this.#closed || !this.#ctx.peers.has(peer)) return;
    let retry = this.#retries.get(peer);
    if (retry === undefined) {
      retry = { backoff: new Backoff({ initialMs: 500, maxMs: 30_000, ...this.#opts.retry }, this.#ctx.random), timer: undefined };
      this.#retries.set(peer, retry);
    }
    this.#ctx.clock.clearTimeout(retry.timer);
    retry.timer = this.#ctx.clock.setTimeout(() => {
      retry.timer = undefined;
      if (!this.#closed && this.#ctx.peers.has(peer) && !this.#connections.has(peer)) this.#reach(peer);
    }, retry.backoff.next());
  }

  #cancelRetry(peer: NodeId): void {
    const retry = this.#retries.get(peer);
    if (retry === undefined) return;
    this.#ctx.clock.clearTimeout(retry.timer);
    this.#retries.delete(peer);
  }

  #teardown(peer: NodeId): void {
    const connection = this.#connections.get(peer);
    if (connection === undefined) return;
    this.#connections.delete(peer);
    this.#ctx.clock.clearTimeout(connection.timer);
    connection.peer.destroy();
  }
}

function encodeSignal(signal: Signal): Uint8Array {
  return encoder.encode(JSON.stringify(signal));
}

function parseSignal(payload: Uint8Array): Signal | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.hello === true) return { hello: true };
  if (typeof v.sid === 'string' && v.sid.length <= 64 && typeof v.data === 'object' && v.data !== null) return { sid: v.sid, data: v.data };
  return undefined;
}

function newSessionId(random: () => number): string {
  return Math.floor(random() * 2 ** 52).toString(36) + Date.now().toString(36);
}
