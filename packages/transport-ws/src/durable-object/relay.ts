/**
 * The relay at the edge: a Cloudflare Worker admits each connection (path, room and node,
 * origin, room token, `authorize`) as the Node relay does, and hands it to the Durable Object
 * of its room, one object per room. The object holds the room's sockets through the
 * hibernatable WebSocket API: while the room is quiet the object may be evicted from memory
 * (hibernate) with its sockets left open, and each socket's node id lives in its attachment,
 * so a woken object knows its members again without anyone reconnecting.
 */
import { CloseCode } from '../protocol.ts';
import { admit } from '../rooms/admission.ts';
import { bearerMatches } from '../rooms/bearer.ts';
import { closeQuietly, RoomHub } from '../rooms/hub.ts';
import { RelayOptionsError, resolveRoomRelayOptions, type ResolvedRoomRelayOptions } from '../rooms/options.ts';
import { countRefusal, emptyRoomRelayStats, type RoomRelayStats } from '../rooms/stats.ts';
import { relayOptionsFromEnv, type DurableObjectRelayOptions } from './options.ts';
import { upgradeResponse, webSocketPair, type DurableObjectNamespaceLike, type DurableObjectStateLike, type DurableWebSocket } from './platform.ts';

export interface DurableObjectRelayConfig<Env> {
  /** Name of the Worker's Durable Object binding for the room class. @default 'RELAY_ROOM' */
  readonly binding?: string;
  /** The relay's options, from the Worker's environment. @default relayOptionsFromEnv */
  readonly options?: (env: Env) => DurableObjectRelayOptions;
}

/** What a room's Durable Object answers: its sockets' events, and `fetch` from the Worker. */
export interface RelayRoomObject {
  fetch(request: Request): Promise<Response>;
  webSocketMessage(socket: DurableWebSocket, message: ArrayBuffer | string): void;
  webSocketClose(socket: DurableWebSocket, code: number, reason: string, wasClean: boolean): void;
  webSocketError(socket: DurableWebSocket, error: unknown): void;
}

export interface DurableObjectRelay<Env> {
  /** The Durable Object class of a room: export it under the `class_name` the Worker's configuration binds. */
  readonly RoomObject: new (state: DurableObjectStateLike, env: Env) => RelayRoomObject;
  /** The Worker: `export default relay.worker`. */
  readonly worker: { fetch(request: Request, env: Env): Promise<Response> };
}

/** What the Worker (one isolate of it) refused, answered under `GET /admin/stats`. */
export interface WorkerRelayStats {
  /** When this isolate started counting; Cloudflare runs many isolates, each counting its own. */
  since: number;
  /** Connections handed to their room's object. */
  admitted: number;
  rejected: Pick<RoomRelayStats['rejected'], 'badRequest' | 'unauthorized' | 'forbiddenOrigin'>;
}

/** What `GET /admin/rooms/:room` answers: the room object's counters (since it last woke) and members. */
export interface RoomObjectStats extends RoomRelayStats {
  readonly nodes: string[];
}

type Resolved = ResolvedRoomRelayOptions<Request> & { readonly admin?: { readonly token?: string } };

/** Attachment of a socket: what a woken object needs to know it again. */
interface MemberAttachment {
  readonly node: string;
  /** It lost its node id to a newer connection, and is told so (4009) when it next speaks. */
  readonly replaced?: true;
}

export function createRelay<Env extends object = Record<string, unknown>>(config: DurableObjectRelayConfig<Env> = {}): DurableObjectRelay<Env> {
  const binding = config.binding ?? 'RELAY_ROOM';
  const optionsOf = config.options ?? relayOptionsFromEnv;
  const resolvedByEnv = new WeakMap<object, Resolved>();
  const resolve = (env: Env): Resolved => {
    let resolved = resolvedByEnv.get(env);
    if (resolved === undefined) {
      const options = optionsOf(env);
      resolved = { ...resolveRoomRelayOptions(options), ...(options.admin !== undefined && { admin: options.admin }) };
      resolvedByEnv.set(env, resolved);
    }
    return resolved;
  };

  class RelayRoom implements RelayRoomObject {
    readonly #state: DurableObjectStateLike;
    readonly #stats: RoomRelayStats;
    readonly #hub: RoomHub<DurableWebSocket>;
    /**
     * Sockets that lost their node id. workerd closes the connection of a hibernatable socket
     * only when the socket is closed from one of its own events (a close from another
     * request's event sends the close frame, but holds the connection open until the object
     * is evicted), so a replaced socket is closed when it next speaks: a live client does
     * within its keepalive interval, a dead one never needs telling.
     */
    readonly #replaced = new Set<DurableWebSocket>();

    constructor(state: DurableObjectStateLike, env: Env) {
      this.#state = state;
      this.#stats = emptyRoomRelayStats(Date.now());
      this.#hub = new RoomHub<DurableWebSocket>(resolve(env), this.#stats, Date.now, {
        entered: (socket, node) => socket.serializeAttachment({ node } satisfies MemberAttachment),
        replaced: (socket) => {
          const { node } = socket.deserializeAttachment() as MemberAttachment;
          socket.serializeAttachment({ node, replaced: true } satisfies MemberAttachment);
          this.#replaced.add(socket);
        },
      });
      // Woken from hibernation: the sockets are still open, and their attachments say who is who.
      for (const socket of state.getWebSockets()) {
        const attachment = socket.deserializeAttachment() as Partial<MemberAttachment> | null;
        if (typeof attachment?.node !== 'string') closeQuietly(socket, CloseCode.goingAway, 'relay restarted');
        else if (attachment.replaced === true) this.#replaced.add(socket);
        else this.#hub.restore(socket, attachment.node);
      }
    }

    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname === '/stats') {
        const nodes = this.#hub.nodes();
        const stats: RoomObjectStats = { ...this.#stats, connections: nodes.length + this.#replaced.size, members: nodes.length, rooms: nodes.length > 0 ? 1 : 0, nodes };
        return Response.json(stats);
      }
      const node = url.searchParams.get('node');
      if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || node === null) {
        return new Response('webraft relay room: connect through the relay Worker\n', { status: 426 });
      }
      // Decided before the socket is accepted: a refused one is closed at once, outside the room's sockets.
      const refused = await this.#hub.claim(node);
      if (refused !== undefined) return refusal(refused.code, refused.reason);
      const [client, server] = webSocketPair();
      this.#state.acceptWebSocket(server);
      this.#hub.enter(server, node);
      return upgradeResponse(client);
    }

    webSocketMessage(socket: DurableWebSocket, message: ArrayBuffer | string): void {
      if (this.#replaced.delete(socket)) return closeQuietly(socket, CloseCode.replaced, 'replaced by a newer connection');
      this.#hub.message(socket, message);
    }

    webSocketClose(socket: DurableWebSocket): void {
      this.#replaced.delete(socket);
      this.#hub.closed(socket);
      // Completes the closing handshake where the runtime does not answer a close by itself.
      closeQuietly(socket, 1000, 'closed');
    }

    webSocketError(socket: DurableWebSocket): void {
      this.#replaced.delete(socket);
      this.#hub.closed(socket);
    }
  }

  // Made at the first request: a Worker's global scope has no clock.
  let workerStats: WorkerRelayStats | undefined;

  const fetch = async (request: Request, env: Env): Promise<Response> => {
    workerStats ??= { since: Date.now(), admitted: 0, rejected: { badRequest: 0, unauthorized: 0, forbiddenOrigin: 0 } };
    let options: Resolved;
    try {
      options = resolve(env);
    } catch (error) {
      if (error instanceof RelayOptionsError) return new Response(`webraft relay: ${error.message}\n`, { status: 500 });
      throw error;
    }
    const namespace = (env as Record<string, unknown>)[binding] as DurableObjectNamespaceLike | undefined;
    if (namespace === undefined || typeof namespace.idFromName !== 'function') {
      return new Response(`webraft relay: the Worker has no Durable Object binding named ${binding}\n`, { status: 500 });
    }
    const url = new URL(request.url);
    if (url.pathname.startsWith('/admin/') && options.admin !== undefined) return admin(request, url, options.admin.token, namespace, workerStats);
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      if (url.pathname === '/healthz') return new Response('ok\n');
      return new Response('webraft relay: connect with a WebSocket\n', { status: 426 });
    }
    const admission = await admit(
      { target: request.url, origin: request.headers.get('origin') ?? undefined, remoteAddress: request.headers.get('cf-connecting-ip') ?? undefined, request },
      { ...options, now: Date.now },
    );
    if (!admission.ok) {
      countRefusal(workerStats.rejected as RoomRelayStats['rejected'], admission.code);
      return refusal(admission.code, admission.reason);
    }
    workerStats.admitted++;
    const target = new URL('https://room.webraft.invalid/connect');
    target.searchParams.set('room', admission.room);
    target.searchParams.set('node', admission.node);
    return namespace.get(namespace.idFromName(admission.room)).fetch(new Request(target, { headers: request.headers }));
  };

  return { RoomObject: RelayRoom, worker: { fetch } };
}

/** Completes the handshake and closes at once with `code`, so a browser can read why it was refused. */
function refusal(code: number, reason: string): Response {
  const [client, server] = webSocketPair();
  server.accept();
  server.close(code, reason);
  return upgradeResponse(client);
}

async function admin(request: Request, url: URL, token: string | undefined, namespace: DurableObjectNamespaceLike, stats: WorkerRelayStats): Promise<Response> {
  if (token !== undefined && !bearerMatches(request.headers.get('authorization'), token)) {
    return Response.json({ error: 'admin token required' }, { status: 401 });
  }
  if (request.method !== 'GET') return Response.json({ error: 'method not allowed' }, { status: 405 });
  if (url.pathname === '/admin/stats') return Response.json(stats);
  const match = /^\/admin\/rooms\/([^/]+)$/.exec(url.pathname);
  if (match === null) return Response.json({ error: 'no such admin resource' }, { status: 404 });
  let room: string;
  try {
    room = decodeURIComponent(match[1]!);
  } catch {
    return Response.json({ error: 'room name is not valid percent-encoding' }, { status: 400 });
  }
  return namespace.get(namespace.idFromName(room)).fetch(new Request('https://room.webraft.invalid/stats'));
}
