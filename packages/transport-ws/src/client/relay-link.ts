/**
 * One client's connection to the relay: connects, reconnects with backoff after it drops,
 * tracks which peers are present in the room, and carries envelopes both ways. Shared by the
 * WebSocket and the WebRTC transports (the latter signals through it).
 */
import type { Clock, NodeId } from '@webraft/core';
import { CloseCode, decodeEnvelope, encodeBatchEnvelope, encodeEnvelope, EnvelopeError, EnvelopeKind, isFatalClose, type Envelope } from '../protocol.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';

/** The part of the WebSocket API the link uses: browsers', Deno's and `ws`'s all fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: event objects differ between implementations; the link reads only `data`, `code`, `reason`
  addEventListener(type: string, listener: (event: any) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface RelayLinkOptions {
  /** Relays to try, in turn: each new attempt after a failed one or a lost connection goes to the next. */
  readonly urls: readonly string[];
  readonly room: string;
  readonly nodeId: NodeId;
  /** A room token, or a function fetching a fresh one before every connection attempt. */
  readonly token?: string | (() => string | Promise<string>);
  readonly WebSocket: WebSocketConstructor;
  readonly backoff: BackoffOptions;
  readonly random: () => number;
  readonly clock: Clock;
  /** Envelopes are not sent while more than this many bytes wait in the socket. */
  readonly maxBufferedBytes: number;
  /** How long `start` waits for the first admission before resolving anyway. */
  readonly connectTimeoutMs: number;
  /** Silence after which the link asks the relay for a sign of life, and then gives up on the socket. */
  readonly keepAliveMs: number;
}

/** Where a node stands with the relay. */
export interface RelayStatus {
  /**
   * - `connecting`: not admitted yet, or reconnecting after the connection dropped (`lastClose` says how).
   * - `admitted`: in the room.
   * - `displaced`: another connection holds this node id in the room: it took the id from this
   *   one (4009) or keeps it (4106). Messages are not delivered meanwhile; the transport keeps
   *   trying and is admitted again once the id is free.
   * - `refused`: refused for good (4000–4099 but 4009: token, origin, bad request); no more attempts.
   * - `closed`: `close()` was called.
   */
  readonly state: 'connecting' | 'admitted' | 'displaced' | 'refused' | 'closed';
  /** The relay's URL (as given): the one the node is admitted to, or the last one it tried. */
  readonly url?: string;
  /** How the last connection ended, if one did: the relay's close code and reason (1006: no close frame). */
  readonly lastClose?: { readonly code: number; readonly reason: string };
  /**
   * Why the node is not admitted, when something went wrong: a {@link RelayConnectionError}
   * while it keeps trying (relay unreachable, connection lost, token function failed, node id
   * held elsewhere), a {@link RelayRefusedError} once refused. Absent while admitted.
   */
  readonly error?: Error;
}

export interface RelayLinkEvents {
  envelope(envelope: Envelope): void;
  presence(peer: NodeId, present: boolean): void;
  /** After `start`: the relay refused the connection for good (bad token, origin); no more retries. */
  fatal(code: number, reason: string): void;
  /** The status changed. */
  status(status: RelayStatus): void;
  /** A frame from the relay could not be read. */
  malformed(detail: string): void;
}

/**
 * An attempt to reach the relay failed, or the connection to it was lost; the link keeps
 * trying. Names the relay's URL (as given: never with the room token) and, where the WebSocket
 * tells (`ws` and Deno do, browsers do not), the network error.
 */
export class RelayConnectionError extends Error {
  override readonly name = 'RelayConnectionError';
  constructor(
    message: string,
    /** The URL of the relay tried, as given in the options. */
    readonly url: string,
    /** The close code, when a connection was closed. */
    readonly code?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The relay closed the connection with a code that retrying cannot fix. */
export class RelayRefusedError extends Error {
  override readonly name = 'RelayRefusedError';
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`relay refused the connection (${code}${reason ? `: ${reason}` : ''})`);
  }
}

const OPEN = 1;

export class RelayLink {
  readonly #opts: RelayLinkOptions;
  readonly #events: RelayLinkEvents;
  readonly #backoff: Backoff;
  readonly #present = new Set<NodeId>();
  #socket: WebSocketLike | undefined;
  #admitted = false;
  #closed = false;
  #retryTimer: unknown;
  #keepAliveTimer: unknown;
  #lastHeard = 0;
  #askedAt: number | undefined;
  #firstAdmission: { resolve(): void; reject(error: Error): void } | undefined;
  #status: RelayStatus = { state: 'connecting' };
  /** Which of `urls` the current or next attempt goes to. */
  #urlIndex = 0;
  /** Times the link was admitted by the relay; tests and stats read it. */
  connections = 0;

  constructor(options: RelayLinkOptions, events: RelayLinkEvents) {
    this.#opts = options;
    this.#events = events;
    this.#backoff = new Backoff(options.backoff, options.random);
  }

  /** Peers the relay says are in the room now. */
  get present(): ReadonlySet<NodeId> {
    return this.#present;
  }

  get admitted(): boolean {
    return this.#admitted;
  }

  get status(): RelayStatus {
    return this.#status;
  }

  /** The relay of the current (or next) attempt. */
  get #url(): string {
    return this.#opts.urls[this.#urlIndex]!;
  }

  #setStatus(state: RelayStatus['state'], lastClose = this.#status.lastClose, error?: Error): void {
    const url = this.#url;
    if (state === this.#status.state && lastClose === this.#status.lastClose && error === this.#status.error && url === this.#status.url) return;
    this.#status = { state, url, ...(lastClose !== undefined && { lastClose }), ...(error !== undefined && { error }) };
    this.#events.status(this.#status);
  }

  /**
   * Connects; resolves once admitted to the room or after `connectTimeoutMs` (the link keeps
   * retrying in the background); rejects with {@link RelayRefusedError} if the relay refuses for good.
   */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.#opts.clock.setTimeout(() => settle(), this.#opts.connectTimeoutMs);
      const settle = (error?: Error): void => {
        if (this.#firstAdmission === undefined) return;
        this.#firstAdmission = undefined;
        this.#opts.clock.clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      this.#firstAdmission = { resolve: () => settle(), reject: (error) => settle(error) };
      this.#attempt();
    });
  }

  /** Sends one envelope; false when it was not sent (not connected, or the socket is backed up). */
  send(kind: EnvelopeKind, to: NodeId, payload: Uint8Array): boolean {
    const socket = this.#writable();
    if (socket === undefined) return false;
    socket.send(encodeEnvelope(kind, to, payload));
    return true;
  }

  /** Sends `frames[start, end)` to `to` as one `batch` envelope; false as for {@link send}. */
  sendBatch(to: NodeId, frames: readonly Uint8Array[], start: number, end: number): boolean {
    const socket = this.#writable();
    if (socket === undefined) return false;
    socket.send(encodeBatchEnvelope(to, frames, start, end));
    return true;
  }

  /**
   * Runs `sends` with the socket's stream corked where the WebSocket exposes it (`ws`'s
   * `_socket`, a Node stream): envelopes for several peers in one turn then leave in one write,
   * and the relay reads them in one wake-up. Elsewhere `sends` just runs.
   */
  corked(sends: () => void): void {
    const stream = (this.#socket as { _socket?: { cork?: unknown; uncork?: unknown } } | undefined)?._socket;
    if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') {
      sends();
      return;
    }
    const { cork, uncork } = stream as { cork(): void; uncork(): void };
    cork.call(stream);
    try {
      sends();
    } finally {
      uncork.call(stream);
    }
  }

  #writable(): WebSocketLike | undefined {
    const socket = this.#socket;
    if (!this.#admitted || socket === undefined || socket.readyState !== OPEN) return undefined;
    if (socket.bufferedAmount > this.#opts.maxBufferedBytes) return undefined;
    return socket;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#opts.clock.clearTimeout(this.#retryTimer);
    this.#opts.clock.clearTimeout(this.#keepAliveTimer);
    this.#socket?.close(1000, 'closed');
    this.#socket = undefined;
    this.#setAbsent();
    this.#setStatus('closed');
    this.#firstAdmission?.resolve();
  }

  /** One connection attempt; whatever goes wrong in it is reported and retried, never thrown. */
  #attempt(): void {
    this.#connect().catch((error: unknown) => this.#attemptFailed(`could not connect to the relay at ${this.#url}: ${describe(error)}`, error));
  }

  #attemptFailed(message: string, cause: unknown): void {
    if (this.#closed) return;
    this.#setStatus('connecting', undefined, new RelayConnectionError(message, this.#url, undefined, { cause }));
    this.#retry();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let token: string | undefined;
    try {
      token = typeof this.#opts.token === 'function' ? await this.#opts.token() : this.#opts.token;
    } catch (error) {
      this.#attemptFailed(`the token function failed: ${describe(error)}`, error);
      return;
    }
    if (this.#closed) return;
    const url = new URL(this.#url);
    url.searchParams.set('room', this.#opts.room);
    url.searchParams.set('node', this.#opts.nodeId);
    if (token !== undefined) url.searchParams.set('token', token);

    let socket: WebSocketLike;
    try {
      socket = new this.#opts.WebSocket(url.toString());
    } catch (error) {
      this.#attemptFailed(`could not open a WebSocket to the relay at ${this.#url}: ${describe(error)}`, error);
      return;
    }
    // `ws` (Node) can hand over the received bytes as they are; the standard API copies
    // them into an ArrayBuffer. Other implementations ignore, replace or refuse the value.
    try {
      socket.binaryType = 'nodebuffer';
    } catch {
      // Refused: ArrayBuffer it is.
    }
    if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (this.#socket !== socket) return;
      this.#lastHeard = this.#opts.clock.now();
      this.#askedAt = undefined;
      this.#onMessage(event.data);
    });
    // An error is always followed by a close event, which does the work; the error says why.
    let failure: { detail: string; cause: unknown } | undefined;
    socket.addEventListener('error', (event: unknown) => {
      failure ??= errorEventDetail(event);
    });
    socket.addEventListener('close', (event: { code: number; reason: string }) => {
      if (this.#socket === socket) this.#onClose(event.code, event.reason, failure);
    });
  }

  #onMessage(data: unknown): void {
    let bytes: Uint8Array;
    // A plain view even over a Node Buffer, whose `slice` would not copy: the codec copies
    // what it keeps out of the frame with `slice`, and must not keep the socket's read buffer.
    if (data instanceof Uint8Array) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else {
      this.#events.malformed('a text frame from the relay');
      return;
    }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      this.#events.malformed(error.message);
      return;
    }
    switch (envelope.kind) {
      case EnvelopeKind.welcome:
        this.#onWelcome(envelope.payload);
        return;
      case EnvelopeKind.keepalive:
        return;
      case EnvelopeKind.presence:
        if (envelope.peer === this.#opts.nodeId) return;
        if (envelope.payload[0] === 1) this.#setPresent(envelope.peer);
        else this.#setAbsent(envelope.peer);
        return;
      default:
        this.#events.envelope(envelope);
    }
  }

  #onWelcome(payload: Uint8Array): void {
    let members: unknown;
    try {
      members = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      members = undefined;
    }
    if (!Array.isArray(members) || !members.every((m) => typeof m === 'string')) {
      this.#events.malformed('an unreadable welcome');
      return;
    }
    this.#admitted = true;
    this.connections++;
    this.#setStatus('admitted');
    this.#backoff.reset();
    this.#scheduleKeepAlive();
    for (const peer of [...this.#present]) if (!members.includes(peer)) this.#setAbsent(peer);
    for (const peer of members as string[]) if (peer !== this.#opts.nodeId) this.#setPresent(peer);
    this.#firstAdmission?.resolve();
  }

  /**
   * Browsers hide WebSocket pings, so a socket whose peer vanished without closing (sleep,
   * network change) would look open for minutes. After `keepAliveMs` of silence the link asks
   * the relay for a reply; after as long again without one it drops the socket and reconnects.
   */
  #scheduleKeepAlive(): void {
    this.#opts.clock.clearTimeout(this.#keepAliveTimer);
    const check = (): void => {
      const socket = this.#socket;
      if (socket === undefined || !this.#admitted || this.#closed) return;
      const now = this.#opts.clock.now();
      if (this.#askedAt !== undefined && now - this.#askedAt >= this.#opts.keepAliveMs) {
        this.#socket = undefined;
        socket.close(4999, 'keepalive timeout');
        this.#onClose(1006, 'keepalive timeout');
        return;
      }
      if (this.#askedAt === undefined && now - this.#lastHeard >= this.#opts.keepAliveMs) {
        this.#askedAt = now;
        if (socket.readyState === OPEN) socket.send(encodeEnvelope(EnvelopeKind.keepalive, '', new Uint8Array(0)));
      }
      this.#keepAliveTimer = this.#opts.clock.setTimeout(check, this.#opts.keepAliveMs / 2);
    };
    this.#keepAliveTimer = this.#opts.clock.setTimeout(check, this.#opts.keepAliveMs / 2);
  }

  #onClose(code: number, reason: string, failure?: { detail: string; cause: unknown }): void {
    const wasAdmitted = this.#admitted;
    this.#opts.clock.clearTimeout(this.#keepAliveTimer);
    this.#askedAt = undefined;
    this.#socket = undefined;
    this.#admitted = false;
    this.#setAbsent();
    if (this.#closed) return;
    const lastClose = { code, reason };
    if (isFatalClose(code)) {
      this.#closed = true;
      const refused = new RelayRefusedError(code, reason);
      this.#setStatus('refused', lastClose, refused);
      if (this.#firstAdmission !== undefined) this.#firstAdmission.reject(refused);
      else this.#events.fatal(code, reason);
      return;
    }
    // Another connection has this node id (a reloaded page, a second tab, or someone else):
    // keep trying, so the node is back as soon as the id is free, and say so meanwhile.
    const displaced = code === CloseCode.replaced || code === CloseCode.nodeIdInUse;
    const error = new RelayConnectionError(this.#closeMessage(wasAdmitted, code, reason, failure), this.#url, code, { cause: failure?.cause });
    this.#setStatus(displaced ? 'displaced' : 'connecting', lastClose, error);
    this.#retry();
  }

  /** What a close means to someone wondering why the node does not reach its peers. */
  #closeMessage(wasAdmitted: boolean, code: number, reason: string, failure: { detail: string } | undefined): string {
    const relay = `the relay at ${this.#url}`;
    const closed = `${code}${reason ? `: ${reason}` : ''}`;
    if (code === CloseCode.replaced || code === CloseCode.nodeIdInUse) {
      return `another connection holds node id ${this.#opts.nodeId} in room ${this.#opts.room} at ${relay} (${closed})`;
    }
    if (wasAdmitted) return `lost ${relay} (${failure?.detail ?? closed})`;
    // 1006 without an error event: the socket closed without a handshake and without a word.
    if (failure !== undefined) return `cannot reach ${relay}: ${failure.detail}`;
    return code === 1006 ? `cannot reach ${relay} (the connection closed before the relay answered)` : `${relay} did not admit this node (${closed})`;
  }

  /** The next attempt, after a backoff, goes to the next relay of the list: one that failed or was lost is likely down. */
  #retry(): void {
    if (this.#closed) return;
    this.#urlIndex = (this.#urlIndex + 1) % this.#opts.urls.length;
    this.#retryTimer = this.#opts.clock.setTimeout(() => this.#attempt(), this.#backoff.next());
  }

  #setPresent(peer: NodeId): void {
    if (this.#present.has(peer)) return;
    this.#present.add(peer);
    this.#events.presence(peer, true);
  }

  /** Marks `peer` (or, without an argument, everyone) absent. */
  #setAbsent(peer?: NodeId): void {
    for (const p of peer === undefined ? [...this.#present] : [peer]) {
      if (this.#present.delete(p)) this.#events.presence(p, false);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a WebSocket `error` event says: `ws` and Deno carry the error, browsers say nothing. */
function errorEventDetail(event: unknown): { detail: string; cause: unknown } | undefined {
  const { error, message } = (event ?? {}) as { error?: unknown; message?: unknown };
  if (error instanceof Error && error.message !== '') return { detail: error.message, cause: error };
  return typeof message === 'string' && message !== '' ? { detail: message, cause: error } : undefined;
}
