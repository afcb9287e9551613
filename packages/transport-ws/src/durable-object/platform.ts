/**
 * The parts of the Cloudflare Workers runtime the relay uses, typed here so the package needs
 * no Workers type package: the real objects (and `@cloudflare/workers-types`' types) fit them.
 */
import type { HubSocket } from '../rooms/hub.ts';

/** A server-side WebSocket of a Durable Object, with the attachment that survives hibernation. */
export interface DurableWebSocket extends HubSocket {
  /** Keeps a small value (≤ 2 KiB serialized) with the socket, across hibernation. */
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/** `ctx` / `state` of a Durable Object: its hibernatable WebSockets. */
export interface DurableObjectStateLike {
  acceptWebSocket(socket: DurableWebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): DurableWebSocket[];
}

/** A Durable Object namespace binding: one object per name. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** A `WebSocketPair`: `[client, server]`. */
export function webSocketPair(): [client: DurableWebSocket & { accept(): void }, server: DurableWebSocket & { accept(): void }] {
  const { WebSocketPair } = globalThis as unknown as { WebSocketPair?: new () => Record<0 | 1, DurableWebSocket & { accept(): void }> };
  if (WebSocketPair === undefined) throw new Error('WebSocketPair is missing: the Durable Object relay runs in Cloudflare Workers (or workerd)');
  const pair = new WebSocketPair();
  return [pair[0], pair[1]];
}

/** The response that hands `client` to the connecting browser. */
export function upgradeResponse(client: DurableWebSocket): Response {
  return new Response(null, { status: 101, webSocket: client } as ResponseInit);
}
