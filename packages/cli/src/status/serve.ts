/**
 * Opt-in status publishing for a node: one extra WebSocket to the relay, in the sibling status
 * room, answering `webraft status` requests with the node's `status()`. Runs in browsers,
 * Deno and Node (pass `ws`'s WebSocket on Node 20).
 */
import type { NodeId, RaftNodeStatus } from '@webraft/core';
import {
  bytesOf, connectUrl, decodeEnvelope, encodeEnvelope, envelopeKind, isStatusRequest, parsePayload, reportOf,
  type StatusReply, type StatusSocket, type StatusSocketConstructor,
} from './protocol.ts';

export interface ServeStatusOptions {
  /** The relay, as given to `webSocketTransport`. */
  readonly url: string;
  /** The cluster's room; status uses `statusRoom(room)` beside it. */
  readonly room: string;
  /** The node whose status is published (a `RaftNode`). */
  readonly node: { readonly id: NodeId; status(): RaftNodeStatus };
  /** A room token minted for `statusRoom(room)` when the relay requires tokens. */
  readonly token?: string;
  /** @default globalThis.WebSocket */
  readonly WebSocket?: StatusSocketConstructor;
  /** Delay before reconnecting after the relay closed the socket. @default 1000 */
  readonly reconnectMs?: number;
}

export interface StatusPublisher {
  /** Requests answered so far. */
  readonly answered: number;
  close(): void;
}

export function serveStatus(options: ServeStatusOptions): StatusPublisher {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: StatusSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) throw new TypeError('serveStatus: no WebSocket; pass one (ws on Node 20)');
  const reconnectMs = options.reconnectMs ?? 1000;
  let socket: StatusSocket | undefined;
  let closed = false;
  let answered = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const onMessage = (event: { data: unknown }): void => {
    const bytes = bytesOf(event.data);
    if (bytes === undefined) return;
    try {
      const envelope = decodeEnvelope(bytes);
      if (envelope.kind !== envelopeKind.data) return;
      const request = parsePayload(envelope.payload);
      if (!isStatusRequest(request)) return;
      const reply: StatusReply = { type: 'status', id: request.id, status: reportOf(options.node.status()) };
      socket?.send(encodeEnvelope(envelopeKind.data, envelope.peer, reply));
      answered++;
    } catch {
      // A malformed request gets no answer; the querier times out on it.
    }
  };

  const connect = (): void => {
    const s = new WebSocketImpl(connectUrl(options.url, options.room, options.node.id, options.token));
    s.binaryType = 'arraybuffer';
    s.addEventListener('message', onMessage);
    s.addEventListener('error', () => {});
    s.addEventListener('close', () => {
      if (socket !== s || closed) return;
      socket = undefined;
      timer = setTimeout(connect, reconnectMs);
    });
    socket = s;
  };
  connect();

  return {
    get answered() {
      return answered;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close(1000, 'closed');
      socket = undefined;
    },
  };
}
