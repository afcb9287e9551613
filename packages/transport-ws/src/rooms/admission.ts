/**
 * Who may join which room, on any runtime: the URL names the room and node; the origin
 * allowlist, the room token and the application's `authorize` hook decide. Runs before the
 * connection joins its room, so a refused client never sees a frame. The Node relay, the
 * Durable Object relay and the Deno relay all admit through {@link admit}.
 */
import { CloseCode, maxPeerIdBytes } from '../protocol.ts';
import { RoomTokenError, verifyRoomToken } from '../token.ts';

/** What the `authorize` hook is shown about a connection attempt; `request` is the runtime's own request object. */
export interface AdmissionRequestOf<Request> {
  readonly room: string;
  readonly node: string;
  readonly token: string | undefined;
  readonly origin: string | undefined;
  readonly remoteAddress: string | undefined;
  /** The HTTP upgrade request (headers, cookies): Node's `IncomingMessage`, or a fetch `Request` at the edge. */
  readonly request: Request;
}

export interface AdmissionPolicy<Request> {
  readonly path: string;
  readonly allowedOrigins?: readonly string[] | undefined;
  readonly tokenSecret?: string | Uint8Array | undefined;
  readonly authorize?: ((request: AdmissionRequestOf<Request>) => boolean | Promise<boolean>) | undefined;
  readonly now: () => number;
}

/** The connection attempt as the runtime received it. */
export interface ConnectionAttempt<Request> {
  /** The request target (`/?room=r&node=a`) or the whole URL. */
  readonly target: string | undefined;
  readonly origin: string | undefined;
  readonly remoteAddress: string | undefined;
  readonly request: Request;
}

export type Admission =
  | { readonly ok: true; readonly room: string; readonly node: string }
  | { readonly ok: false; readonly code: CloseCode; readonly reason: string };

/** Longest room name, in UTF-8 bytes. */
export const maxRoomBytes = 128;
const encoder = new TextEncoder();

/**
 * The request's URL, or undefined when it does not parse (`//[`, say): request targets come
 * from the network, and `new URL` throws on them.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://relay.invalid');
  } catch {
    return undefined;
  }
}

/** The path of a request target; undefined when it does not parse. */
export function requestPath(target: string | undefined): string | undefined {
  return requestUrl(target)?.pathname;
}

export async function admit<Request>(attempt: ConnectionAttempt<Request>, policy: AdmissionPolicy<Request>): Promise<Admission> {
  const url = requestUrl(attempt.target);
  if (url === undefined) return refuse(CloseCode.badRequest, 'request target does not parse');
  if (url.pathname !== policy.path) return refuse(CloseCode.badRequest, `no relay at ${url.pathname.slice(0, 64)}`);
  const room = url.searchParams.get('room');
  const node = url.searchParams.get('node');
  if (!room || encoder.encode(room).length > maxRoomBytes) return refuse(CloseCode.badRequest, 'room missing or too long');
  if (!node || encoder.encode(node).length > maxPeerIdBytes) return refuse(CloseCode.badRequest, 'node missing or too long');

  const origin = attempt.origin;
  // Browsers always send Origin; other clients can forge it, so the allowlist only keeps
  // pages of other sites out. Tokens are the gate for everyone else.
  if (policy.allowedOrigins !== undefined && origin !== undefined && !policy.allowedOrigins.includes(origin)) {
    return refuse(CloseCode.forbiddenOrigin, 'origin not allowed');
  }

  const token = url.searchParams.get('token') ?? undefined;
  if (policy.tokenSecret !== undefined) {
    if (token === undefined) return refuse(CloseCode.unauthorized, 'token required');
    try {
      await verifyRoomToken(policy.tokenSecret, token, { room, node, now: policy.now() });
    } catch (error) {
      if (error instanceof RoomTokenError) return refuse(CloseCode.unauthorized, `token refused: ${error.reason}`);
      throw error;
    }
  }
  if (policy.authorize !== undefined) {
    let allowed = false;
    try {
      allowed = await policy.authorize({ room, node, token, origin, remoteAddress: attempt.remoteAddress, request: attempt.request });
    } catch {
      allowed = false;
    }
    if (!allowed) return refuse(CloseCode.unauthorized, 'not authorized');
  }
  return { ok: true, room, node };
}

function refuse(code: CloseCode, reason: string): Admission {
  return { ok: false, code, reason };
}
