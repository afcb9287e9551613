/**
 * The parts of Deno the relay uses, typed here so the package builds without Deno's types:
 * `Deno.serve`, `Deno.upgradeWebSocket` and the server-side WebSocket they give.
 */
import type { HubSocket } from '../rooms/hub.ts';

/** A server-side WebSocket of `Deno.upgradeWebSocket`: the standard API. */
export interface DenoWebSocket extends HubSocket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** What `Deno.serve` hands the handler besides the request. */
export interface DenoServeInfo {
  readonly remoteAddr?: { readonly hostname?: string };
}

export interface DenoServer {
  readonly addr: { readonly hostname: string; readonly port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

export interface DenoLike {
  serve(
    options: { port: number; hostname: string; signal?: AbortSignal; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request, info: DenoServeInfo) => Response | Promise<Response>,
  ): DenoServer;
  upgradeWebSocket(request: Request, options?: { idleTimeout?: number }): { socket: DenoWebSocket; response: Response };
}

/** `Deno`, or an error saying this is not Deno. */
export function deno(): DenoLike {
  const runtime = (globalThis as { Deno?: DenoLike }).Deno;
  if (runtime === undefined) throw new Error('the Deno relay runs in Deno: Deno.serve and Deno.upgradeWebSocket are missing');
  return runtime;
}
