/**
 * The relay on Deno: `Deno.serve` takes the upgrades, `Deno.upgradeWebSocket` the sockets,
 * and the rooms are the same room hubs as a Durable Object's, many in one process. Admission,
 * frames and the node id rule are the Node relay's (`src/rooms/`).
 */
import type { NodeId } from '@webraft/core';
import { CloseCode } from '../protocol.ts';
import { admit } from '../rooms/admission.ts';
import { bearerMatches } from '../rooms/bearer.ts';
import { closeQuietly, RoomHub } from '../rooms/hub.ts';
import { RelayOptionsError, requirePositive, resolveRoomRelayOptions, type RoomRelayOptions } from '../rooms/options.ts';
import { countRefusal, emptyRoomRelayStats, type RoomRelayStats } from '../rooms/stats.ts';
import { deno, type DenoServeInfo, type DenoWebSocket } from './platform.ts';

export interface DenoRelayOptions extends RoomRelayOptions<Request> {
  /** Rooms that may exist at once; a connection to one more is refused with 4100. @default 1000 */
  readonly maxRooms?: number;
  /** Deno pings a socket silent this long, and closes it if the pong does not come as soon. @default 15000 */
  readonly pingIntervalMs?: number;
  /**
   * The admin API under `/admin/` (`GET /admin/stats`, `GET /admin/rooms`). Off unless given.
   * With `token`, requests must carry `Authorization: Bearer <token>`.
   */
  readonly admin?: { readonly token?: string };
}

export interface DenoServeOptions extends DenoRelayOptions {
  /** Port to listen on; 0 picks a free one (`relay.port` tells which). @default 8787 */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly hostname?: string;
}

/** The relay's request handler, for a `Deno.serve` of your own (next to your routes, or on Deno Deploy). */
export interface DenoRelayHandler {
  fetch(request: Request, info?: DenoServeInfo): Promise<Response>;
  stats(): RoomRelayStats;
  /** Members of each room. */
  rooms(): { room: string; members: NodeId[] }[];
  /** Closes every connection with 1001. */
  close(): void;
}

export interface DenoRelay extends Omit<DenoRelayHandler, 'fetch'> {
  readonly port: number;
  /** `ws://host:port/path` of the relay. */
  readonly url: string;
  /** Closes every connection with 1001 and stops listening. */
  close(): Promise<void>;
}

interface Room {
  readonly hub: RoomHub<DenoWebSocket>;
  /** Connections on their way in: taking their node id. */
  joining: number;
}

export function createRelayHandler(options: DenoRelayOptions = {}): DenoRelayHandler {
  const resolved = resolveRoomRelayOptions(options);
  const maxRooms = options.maxRooms ?? 1000;
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  requirePositive({ maxRooms, pingIntervalMs }, ['maxRooms', 'pingIntervalMs']);
  const stats = emptyRoomRelayStats(Date.now());
  const rooms = new Map<string, Room>();
  let closed = false;

  const leaveIfEmpty = (name: string, room: Room): void => {
    if (room.joining === 0 && room.hub.nodes().length === 0 && rooms.get(name) === room) rooms.delete(name);
  };

  /** Once the socket is open: the room, the node id, then in (or closed with the refusal). */
  const join = async (socket: DenoWebSocket, name: string, node: NodeId): Promise<void> => {
    let room = rooms.get(name);
    if (room === undefined) {
      if (rooms.size >= maxRooms) {
        countRefusal(stats.rejected, CloseCode.tooManyRooms);
        return closeQuietly(socket, CloseCode.tooManyRooms, 'too many rooms');
      }
      room = { hub: new RoomHub<DenoWebSocket>(resolved, stats), joining: 0 };
      rooms.set(name, room);
    }
    let gone = false;
    socket.addEventListener('close', () => {
      gone = true;
      room.hub.closed(socket);
      leaveIfEmpty(name, room);
    });
    socket.addEventListener('message', (event) => room.hub.message(socket, event.data as ArrayBuffer | string));
    room.joining++;
    try {
      const refused = await room.hub.claim(node, () => gone || closed);
      if (refused !== undefined) return closeQuietly(socket, refused.code, refused.reason);
      room.hub.enter(socket, node);
    } finally {
      room.joining--;
      leaveIfEmpty(name, room);
    }
  };

  const handler: DenoRelayHandler = {
    async fetch(request, info) {
      const url = new URL(request.url);
      if (url.pathname.startsWith('/admin/') && options.admin !== undefined) return admin(request, url, options.admin.token, handler);
      if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
        if (url.pathname === '/healthz') return new Response('ok\n');
        return new Response('webraft relay: connect with a WebSocket\n', { status: 426 });
      }
      const admission = closed
        ? ({ ok: false, code: CloseCode.goingAway, reason: 'relay shutting down' } as const)
        : await admit({ target: request.url, origin: request.headers.get('origin') ?? undefined, remoteAddress: info?.remoteAddr?.hostname, request }, { ...resolved, now: Date.now });
      const { socket, response } = deno().upgradeWebSocket(request, { idleTimeout: Math.ceil(pingIntervalMs / 1000) });
      socket.binaryType = 'arraybuffer';
      socket.addEventListener('open', () => {
        // Refused after the handshake, so a browser can read the code.
        if (!admission.ok) {
          countRefusal(stats.rejected, admission.code);
          return closeQuietly(socket, admission.code, admission.reason);
        }
        void join(socket, admission.room, admission.node);
      });
      return response;
    },
    stats() {
      const members = [...rooms.values()].reduce((sum, room) => sum + room.hub.nodes().length, 0);
      return structuredClone({ ...stats, rooms: rooms.size, members, connections: members });
    },
    rooms() {
      return [...rooms].map(([room, { hub }]) => ({ room, members: hub.nodes() }));
    },
    close() {
      closed = true;
      for (const room of rooms.values()) room.hub.closeAll(CloseCode.goingAway, 'relay shutting down');
    },
  };
  return handler;
}

/** Serves the relay with `Deno.serve`; resolves once it listens. */
export async function serveRelay(options: DenoServeOptions = {}): Promise<DenoRelay> {
  const { port = 8787, hostname = '127.0.0.1', ...relayOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RelayOptionsError(`\`port\` must be an integer in [0, 65535], got ${String(port)}`);
  const handler = createRelayHandler(relayOptions);
  const stop = new AbortController();
  let listening!: (addr: { hostname: string; port: number }) => void;
  const listened = new Promise<{ hostname: string; port: number }>((resolve) => (listening = resolve));
  const server = deno().serve({ port, hostname, signal: stop.signal, onListen: (addr) => listening(addr) }, (request, info) => handler.fetch(request, info));
  const addr = await listened;
  const shown = addr.hostname.includes(':') ? `[${addr.hostname}]` : addr.hostname;
  return {
    port: addr.port,
    url: `ws://${shown}:${addr.port}${options.path ?? '/'}`,
    stats: () => handler.stats(),
    rooms: () => handler.rooms(),
    async close() {
      handler.close();
      stop.abort();
      await server.finished;
    },
  };
}

async function admin(request: Request, url: URL, token: string | undefined, relay: DenoRelayHandler): Promise<Response> {
  if (token !== undefined && !bearerMatches(request.headers.get('authorization'), token)) return Response.json({ error: 'admin token required' }, { status: 401 });
  if (request.method !== 'GET') return Response.json({ error: 'method not allowed' }, { status: 405 });
  if (url.pathname === '/admin/stats') return Response.json(relay.stats());
  if (url.pathname === '/admin/rooms') return Response.json(relay.rooms());
  return Response.json({ error: 'no such admin resource' }, { status: 404 });
}
