/** Asks every node publishing status in a room for it, once. */
import type { NodeId } from '@webraft/core';
import {
  bytesOf, connectUrl, decodeEnvelope, encodeEnvelope, envelopeKind, isStatusReply, parsePayload, queryIdPrefix,
  type NodeStatusReport, type StatusSocketConstructor,
} from './protocol.ts';

export interface QueryStatusOptions {
  readonly url: string;
  readonly room: string;
  /** A room token minted for `statusRoom(room)` when the relay requires tokens. */
  readonly token?: string;
  /** How long to wait for the relay and for answers. @default 3000 */
  readonly timeoutMs?: number;
  readonly WebSocket?: StatusSocketConstructor;
}

export interface ClusterStatus {
  /** One report per node that answered, sorted by id. */
  readonly nodes: readonly NodeStatusReport[];
  /** Nodes present in the status room that did not answer in time. */
  readonly silent: readonly NodeId[];
}

export class StatusQueryError extends Error {
  override readonly name = 'StatusQueryError';
}

export function queryStatus(options: QueryStatusOptions): Promise<ClusterStatus> {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: StatusSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) return Promise.reject(new TypeError('queryStatus: no WebSocket; pass one (ws on Node 20)'));
  const timeoutMs = options.timeoutMs ?? 3000;
  const me = `${queryIdPrefix}${Math.random().toString(36).slice(2, 10)}`;
  const socket = new WebSocketImpl(connectUrl(options.url, options.room, me, options.token));
  socket.binaryType = 'arraybuffer';
  const requestId = 1;
  const asked = new Set<NodeId>();
  const reports = new Map<NodeId, NodeStatusReport>();

  return new Promise<ClusterStatus>((resolve, reject) => {
    let welcomed = false;
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.close(1000, 'done');
      if (error) reject(error);
      else {
        resolve({
          nodes: [...reports.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
          silent: [...asked].filter((id) => !reports.has(id)).sort(),
        });
      }
    };
    const timer = setTimeout(() => {
      if (welcomed) finish();
      else finish(new StatusQueryError(`no answer from the relay at ${options.url} within ${timeoutMs} ms`));
    }, timeoutMs);
    const ask = (peer: NodeId): void => {
      if (peer.startsWith(queryIdPrefix) || asked.has(peer)) return;
      asked.add(peer);
      socket.send(encodeEnvelope(envelopeKind.data, peer, { type: 'statusRequest', id: requestId }));
    };

    socket.addEventListener('error', () => {});
    socket.addEventListener('close', () => {
      if (!welcomed) finish(new StatusQueryError(`the relay at ${options.url} refused or closed the connection`));
    });
    socket.addEventListener('message', (event) => {
      const bytes = bytesOf(event.data);
      if (bytes === undefined) return;
      try {
        const envelope = decodeEnvelope(bytes);
        if (envelope.kind === envelopeKind.welcome) {
          welcomed = true;
          const members = parsePayload(envelope.payload);
          if (Array.isArray(members)) for (const m of members) if (typeof m === 'string') ask(m);
          if (asked.size === 0) finish();
        } else if (envelope.kind === envelopeKind.presence && envelope.payload[0] === 1) {
          ask(envelope.peer);
        } else if (envelope.kind === envelopeKind.data) {
          const reply = parsePayload(envelope.payload);
          if (isStatusReply(reply) && reply.id === requestId && reply.status.id === envelope.peer) {
            reports.set(envelope.peer, reply.status);
            if (reports.size === asked.size) finish();
          }
        }
      } catch {
        // A malformed frame is skipped; its sender counts as silent.
      }
    });
  });
}

/** Entries `applied` trails the highest commit index any node reported. */
export function lagOf(report: NodeStatusReport, all: readonly NodeStatusReport[]): number {
  const commit = Math.max(0, ...all.map((r) => r.commit));
  return Math.max(0, commit - report.applied);
}
