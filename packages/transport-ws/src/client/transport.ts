/**
 * The transport both factories return: frames go through the relay, or through a direct
 * path (the WebRTC mesh) when one is open to the peer. Faults are applied on both
 * directions of this node's links; every frame refused on the way in is reported through
 * `handlers.rejected` and counted.
 */
import type { Clock, Message, NodeId, Rejection, Transport, TransportHandlers, TransportStatus } from '@webraft/core';
import type { FaultTable } from '../faults.ts';
import { batchFrameOverhead, EnvelopeError, EnvelopeKind, maxEnvelopeOverhead, unpackBatch, type Envelope } from '../protocol.ts';
import { createFraming, type Framing } from './framing.ts';
import type { ResolvedTransportOptions } from './options.ts';
import { Quarantine } from './quarantine.ts';
import { RelayLink, RelayRefusedError, type RelayStatus } from './relay-link.ts';

export interface TransportStats {
  /** Frames handed to the relay or a direct path. */
  sent: number;
  /** Messages delivered to `handlers.message`. */
  received: number;
  /** Outgoing messages not sent, by cause. */
  dropped: {
    /** Not admitted to the relay at the moment (reconnecting). */
    notConnected: number;
    /** More than `maxBufferedBytes` waiting in the socket. */
    backpressure: number;
    /** Frame larger than `maxFrameBytes`. */
    oversized: number;
    /** Dropped or cut by fault injection (either direction). */
    fault: number;
    /** The message could not be encoded (e.g. a field out of range). */
    encode: number;
  };
  /** Incoming frames refused (also reported through `handlers.rejected`). */
  rejected: number;
  /**
   * Incoming envelopes dropped unread: their sender had 32 frames refused within a second,
   * and its frames are not read for 5 s after (a member never sends such frames).
   */
  quarantined: number;
  /** Times the relay admitted this node (1 + reconnects). */
  relayConnections: number;
  /** Frames sent over direct WebRTC channels, and over the relay. */
  viaDirect: number;
  viaRelay: number;
}

/** A path to peers besides the relay, such as the WebRTC mesh. */
export interface DirectPaths {
  /** Sends `frame` directly if a path to `to` is open; false means "use the relay". */
  send(to: NodeId, frame: Uint8Array): boolean;
  /** The relay says `peer` joined or left the room. */
  presence(peer: NodeId, present: boolean): void;
  /** A signalling envelope from `from`, relayed. */
  signal(from: NodeId, payload: Uint8Array): void;
  close(): Promise<void>;
}

export interface DirectContext {
  readonly nodeId: NodeId;
  /** Peers the relay reports present in the room now. */
  readonly peers: ReadonlySet<NodeId>;
  readonly clock: Clock;
  readonly random: () => number;
  /** Sends a signalling payload to `to` through the relay. */
  signal(to: NodeId, payload: Uint8Array): boolean;
  /** Hands a frame received on a direct path from `from` to the transport. */
  deliver(from: NodeId, frame: Uint8Array): void;
}

export interface RelayTransport extends Transport {
  /** Fault injection on this node's links; `'*'` matches any peer. */
  readonly faults: FaultTable;
  /** Peers the relay reports present in the room. */
  readonly peers: ReadonlySet<NodeId>;
  /**
   * Where the node stands with the relay: connecting, admitted, displaced (another connection
   * holds its node id; it keeps trying), refused for good, or closed. `onStatus` reports changes.
   */
  readonly status: RelayStatus;
  stats(): TransportStats;
}

/**
 * When the turn's messages leave. A microtask runs at the first checkpoint after the send,
 * while a node usually has more to say in the same task: a leader that commits sends the new
 * commit index, then (after its log write and apply settle, a few microtasks later) the next
 * entries; a follower answers each of several messages that arrived together. `setImmediate`
 * (Node, Bun, Deno) runs once the task and all its microtasks are done, so all of that goes in
 * one WebSocket message per peer. Elsewhere (browsers) the microtask it is.
 */
const scheduleFlush: (flush: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (flush) => void (globalThis as unknown as { setImmediate(callback: () => void): unknown }).setImmediate(flush)
    : queueMicrotask;

export class RelayTransportImpl implements RelayTransport {
  readonly id: NodeId;
  readonly faults: FaultTable;
  readonly #opts: ResolvedTransportOptions;
  readonly #framing: Framing;
  readonly #stats: Omit<TransportStats, 'relayConnections'> = {
    sent: 0,
    received: 0,
    dropped: { notConnected: 0, backpressure: 0, oversized: 0, fault: 0, encode: 0 },
    rejected: 0,
    quarantined: 0,
    viaDirect: 0,
    viaRelay: 0,
  };
  readonly #quarantine = new Quarantine();
  #link: RelayLink | undefined;
  #direct: DirectPaths | undefined;
  #handlers: TransportHandlers | undefined;
  #closed = false;
  /** Encodings may finish out of order (HMAC is async); frames leave in send order. */
  #sendTail: Promise<void> = Promise.resolve();
  /** Messages sent in this turn, encoded and transmitted together at its end (one WebSocket message per peer). */
  #outbox: { message: Message; delayMs: number }[] = [];
  #flushScheduled = false;
  /** Largest `batch` payload: the relay's limit on whole envelopes. */
  readonly #maxBatchBytes: number;

  constructor(options: ResolvedTransportOptions) {
    this.id = options.nodeId;
    this.faults = options.faults;
    this.#opts = options;
    // The limit is the relay's, on whole envelopes.
    const maxFrameBytes = options.maxFrameBytes - maxEnvelopeOverhead;
    this.#maxBatchBytes = maxFrameBytes;
    this.#framing = createFraming({ clusterId: options.clusterId, secret: options.secret, maxFrameBytes });
  }

  get peers(): ReadonlySet<NodeId> {
    return this.#link?.present ?? new Set();
  }

  get status(): RelayStatus {
    return this.#link?.status ?? { state: this.#closed ? 'closed' : 'connecting' };
  }

  stats(): TransportStats {
    return structuredClone({ ...this.#stats, relayConnections: this.#link?.connections ?? 0 });
  }

  async start(handlers: TransportHandlers): Promise<void> {
    if (this.#link !== undefined || this.#closed) return;
    this.#handlers = handlers;
    const { url } = this.#opts;
    const link = new RelayLink(
      { ...this.#opts, urls: typeof url === 'string' ? [url] : url, nodeId: this.id },
      {
        envelope: (envelope) => this.#onEnvelope(envelope),
        presence: (peer, present) => {
          this.#direct?.presence(peer, present);
          if (!this.#closed) this.#handlers?.reachability?.(peer, present);
        },
        fatal: (code, reason) => {
          if (!this.#closed) this.#opts.onRefused?.(new RelayRefusedError(code, reason));
        },
        status: (status) => {
          this.#opts.onStatus?.(status);
          if (!this.#closed) this.#handlers?.status?.(toTransportStatus(status));
        },
        malformed: (detail) => this.#reject({ reason: 'decode', detail: `from the relay: ${detail}` }),
      },
    );
    this.#link = link;
    this.#direct = this.createDirectPaths({
      nodeId: this.id,
      get peers() {
        return link.present;
      },
      clock: this.#opts.clock,
      random: this.#opts.random,
      signal: (to, payload) => link.send(EnvelopeKind.signal, to, payload),
      deliver: (from, frame) => this.#inbound(from, frame),
    });
    await link.start();
  }

  send(message: Message): void {
    if (this.#closed || this.#link === undefined) return;
    const verdict = this.faults.decide(this.id, message.to);
    if (verdict.drop) {
      this.#stats.dropped.fault++;
      return;
    }
    this.#outbox.push({ message, delayMs: verdict.delayMs });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      scheduleFlush(this.#flush);
    }
  }

  /** Encodes the turn's messages and hands them on, grouped by peer, in send order. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const outbox = this.#outbox;
    this.#outbox = [];
    const encodeSync = this.#framing.encodeSync;
    if (encodeSync !== undefined) {
      this.#dispatch(outbox, outbox.map(({ message }) => this.#encodeOrCount(() => encodeSync(message))));
      return;
    }
    const encoded = Promise.all(outbox.map(({ message }) => this.#framing.encode(message).then((frame): Uint8Array | undefined => frame, (error: unknown) => this.#countEncodeError(error))));
    this.#sendTail = this.#sendTail.then(async () => this.#dispatch(outbox, await encoded));
  };

  #encodeOrCount(encode: () => Uint8Array): Uint8Array | undefined {
    try {
      return encode();
    } catch (error) {
      return this.#countEncodeError(error);
    }
  }

  #countEncodeError(error: unknown): undefined {
    if ((error as { reason?: unknown }).reason === 'oversized') this.#stats.dropped.oversized++;
    else this.#stats.dropped.encode++;
    return undefined;
  }

  #dispatch(outbox: readonly { message: Message; delayMs: number }[], frames: readonly (Uint8Array | undefined)[]): void {
    const byPeer = new Map<NodeId, Uint8Array[]>();
    for (let i = 0; i < outbox.length; i++) {
      const frame = frames[i];
      if (frame === undefined) continue;
      const { message, delayMs } = outbox[i]!;
      if (delayMs > 0) {
        this.#opts.clock.setTimeout(() => this.#transmit(message.to, [frame]), delayMs);
        continue;
      }
      const queue = byPeer.get(message.to);
      if (queue === undefined) byPeer.set(message.to, [frame]);
      else queue.push(frame);
    }
    if (byPeer.size < 2 || this.#link === undefined) {
      for (const [to, queue] of byPeer) this.#transmit(to, queue);
      return;
    }
    // A leader's turn usually has something for every follower.
    this.#link.corked(() => {
      for (const [to, queue] of byPeer) this.#transmit(to, queue);
    });
  }

  /** The WebRTC transport returns its mesh here; the plain transport has only the relay. */
  protected createDirectPaths(_context: DirectContext): DirectPaths | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers = undefined;
    this.#link?.close();
    await this.#direct?.close();
  }

  #transmit(to: NodeId, frames: readonly Uint8Array[]): void {
    if (this.#closed) return;
    let first = 0;
    if (this.#direct !== undefined) while (first < frames.length && this.#direct.send(to, frames[first]!)) first++;
    this.#stats.sent += first;
    this.#stats.viaDirect += first;
    if (first === frames.length) return;
    const link = this.#link!;
    if (!link.admitted) {
      this.#stats.dropped.notConnected += frames.length - first;
      return;
    }
    // Consecutive frames share a `batch` envelope up to the relay's size limit.
    for (let start = first; start < frames.length; ) {
      let end = start + 1;
      let bytes = batchFrameOverhead + frames[start]!.length;
      while (end < frames.length && bytes + batchFrameOverhead + frames[end]!.length <= this.#maxBatchBytes) bytes += batchFrameOverhead + frames[end++]!.length;
      const count = end - start;
      const sent = count === 1 ? link.send(EnvelopeKind.data, to, frames[start]!) : link.sendBatch(to, frames, start, end);
      if (sent) {
        this.#stats.sent += count;
        this.#stats.viaRelay += count;
      } else {
        this.#stats.dropped.backpressure += count;
      }
      start = end;
    }
  }

  #onEnvelope(envelope: Envelope): void {
    if (envelope.kind === EnvelopeKind.data) this.#inbound(envelope.peer, envelope.payload);
    else if (envelope.kind === EnvelopeKind.batch) this.#inboundBatch(envelope.peer, envelope.payload);
    else if (envelope.kind === EnvelopeKind.signal) this.#direct?.signal(envelope.peer, envelope.payload);
  }

  #inboundBatch(from: NodeId, payload: Uint8Array): void {
    if (this.#quarantined(from)) return;
    let frames: Uint8Array[];
    try {
      frames = unpackBatch(payload);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      this.#reject({ reason: 'decode', detail: `a batch from ${from}: ${error.message}`, from });
      return;
    }
    for (const frame of frames) this.#inbound(from, frame);
  }

  #inbound(from: NodeId, frame: Uint8Array): void {
    if (this.#closed || this.#quarantined(from)) return;
    const verdict = this.faults.decide(from, this.id);
    if (verdict.drop) {
      this.#stats.dropped.fault++;
      return;
    }
    if (verdict.delayMs > 0) this.#opts.clock.setTimeout(() => this.#accept(from, frame), verdict.delayMs);
    else this.#accept(from, frame);
  }

  #accept(from: NodeId, frame: Uint8Array): void {
    const decodeSync = this.#framing.decodeSync;
    if (decodeSync === undefined) {
      this.#framing.decode(frame, this.id).then(
        (message) => this.#deliver(from, message),
        (error: unknown) => this.#reject({ ...this.#framing.rejection(error), from }),
      );
      return;
    }
    let message: Message;
    try {
      message = decodeSync(frame, this.id);
    } catch (error) {
      this.#reject({ ...this.#framing.rejection(error), from });
      return;
    }
    this.#deliver(from, message);
  }

  #deliver(from: NodeId, message: Message): void {
    if (message.from !== from) {
      this.#reject({ reason: 'auth', detail: `sent by ${from} but claims to be from ${message.from}`, from });
      return;
    }
    if (this.#closed || this.#handlers === undefined) return;
    this.#stats.received++;
    this.#handlers.message(message);
  }

  #quarantined(from: NodeId): boolean {
    if (!this.#quarantine.holds(from, this.#opts.clock.now())) return false;
    this.#stats.quarantined++;
    return true;
  }

  #reject(rejection: Rejection & { readonly from?: NodeId }): void {
    if (this.#closed) return;
    this.#stats.rejected++;
    const { from } = rejection;
    if (from !== undefined && this.#quarantine.refused(from, this.#opts.clock.now())) {
      const { maxRefused, quietMs } = this.#quarantine;
      rejection = { ...rejection, detail: `${rejection.detail} (${maxRefused} frames from ${from} refused within a second: its frames go unread for ${quietMs / 1000} s)` };
    }
    this.#handlers?.rejected?.(rejection);
  }
}

/**
 * The relay's view of the node, in the terms every transport reports in (`handlers.status`):
 * displaced counts as connecting (the link keeps trying), refused as failed. A closed transport
 * reports nothing: whoever closed it knows.
 */
function toTransportStatus(status: RelayStatus): TransportStatus {
  switch (status.state) {
    case 'admitted':
      return { state: 'connected' };
    case 'refused':
      return { state: 'failed', ...(status.error !== undefined && { error: status.error }) };
    default:
      return { state: 'connecting', ...(status.error !== undefined && { error: status.error }) };
  }
}
