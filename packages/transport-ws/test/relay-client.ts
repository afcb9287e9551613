/** A bare relay client speaking the envelope protocol, for testing the relay on its own. */
import { WebSocket } from 'ws';
import { decodeEnvelope, encodeEnvelope, EnvelopeKind, type Envelope } from '../src/protocol.ts';

export interface TestClient {
  readonly ws: WebSocket;
  readonly received: Envelope[];
  /** Resolves with the close code once the relay closes the connection. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Members listed in the welcome. */
  readonly welcome: Promise<string[]>;
  send(to: string, payload: Uint8Array, kind?: EnvelopeKind): void;
  waitFor(predicate: (e: Envelope) => boolean, timeoutMs?: number): Promise<Envelope>;
}

export function relayUrl(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export function connectClient(
  base: string,
  params: Record<string, string>,
  options: { origin?: string; /** Another loopback address (127.x.y.z) to connect from, as another host would. */ localAddress?: string } = {},
): TestClient {
  const ws = new WebSocket(relayUrl(base, params), {
    ...(options.origin !== undefined && { origin: options.origin }),
    ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
  });
  const received: Envelope[] = [];
  const waiters = new Set<() => void>();
  let resolveWelcome!: (members: string[]) => void;
  const welcome = new Promise<string[]>((resolve) => (resolveWelcome = resolve));
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    const envelope = decodeEnvelope(new Uint8Array(data));
    if (envelope.kind === EnvelopeKind.welcome) resolveWelcome(JSON.parse(new TextDecoder().decode(envelope.payload)));
    received.push(envelope);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    received,
    closed,
    welcome,
    send(to, payload, kind = EnvelopeKind.data) {
      ws.send(encodeEnvelope(kind, to, payload));
    },
    waitFor(predicate, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = received.find(predicate);
          if (hit !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('timed out waiting for an envelope'));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export async function until(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
