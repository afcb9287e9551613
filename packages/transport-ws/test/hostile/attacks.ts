/**
 * What an outsider can do to a relay with nothing but a WebSocket: each attack starts at once
 * and returns the function that stops it. They connect from their own loopback address
 * (127.0.0.2 and up) unless told otherwise, as another host would.
 */
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { encodeEnvelope, EnvelopeKind } from '../../src/protocol.ts';

export type StopAttack = () => Promise<void>;

export const attackerAddress = '127.0.0.2';

interface RawStream {
  pause(): void;
  resume(): void;
  cork(): void;
  uncork(): void;
}

/** The TCP socket under a `ws` client (its reads can be paused while it keeps writing). */
export function streamOf(ws: WebSocket): RawStream {
  return (ws as unknown as { _socket: RawStream })._socket;
}

export function relayUrl(base: string, room: string, node: string, token?: string): string {
  const url = new URL(base);
  url.searchParams.set('room', room);
  url.searchParams.set('node', node);
  if (token !== undefined) url.searchParams.set('token', token);
  return url.toString();
}

/** Opens a WebSocket and resolves once the relay welcomed it (or rejects when it closes first). */
export function openClient(url: string, localAddress = attackerAddress): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress });
    ws.on('error', () => undefined);
    ws.once('message', () => resolve(ws));
    ws.once('close', (code) => reject(new Error(`closed with ${code} before the welcome`)));
  });
}

/** Calls `burst(n)` every 10 ms with the share of `perSecond` due since the last call. */
export function paced(perSecond: number, burst: (count: number) => void): () => void {
  let last = performance.now();
  let owed = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    owed += ((now - last) * perSecond) / 1000;
    last = now;
    const count = Math.floor(owed);
    owed -= count;
    if (count > 0) burst(count);
  }, 10);
  return () => clearInterval(timer);
}

export interface KeepaliveFlood {
  stop: StopAttack;
  /** Starts reading again, and resolves with how many keepalive replies the relay had sent each client by then. */
  readReplies(): Promise<number[]>;
}

/** `clients` connections that send keepalives at `perSecond` each and read nothing. */
export async function keepaliveFlood(base: string, { clients = 1, perSecond = 15_000 } = {}): Promise<KeepaliveFlood> {
  const sockets = await Promise.all(Array.from({ length: clients }, (_, i) => openClient(relayUrl(base, `keepalive-${i}`, 'k'))));
  const keepalive = encodeEnvelope(EnvelopeKind.keepalive, '', new Uint8Array(0));
  const replies = sockets.map(() => 0);
  const stops = sockets.map((ws, i) => {
    ws.on('message', (data: Buffer) => {
      if (data[0] === EnvelopeKind.keepalive) replies[i]!++;
    });
    streamOf(ws).pause();
    return paced(perSecond, (count) => {
      if (ws.readyState !== ws.OPEN) return;
      streamOf(ws).cork();
      for (let n = 0; n < count; n++) ws.send(keepalive);
      streamOf(ws).uncork();
    });
  });
  const stopSending = (): void => {
    for (const stop of stops) stop();
  };
  return {
    async readReplies() {
      stopSending();
      for (const ws of sockets) streamOf(ws).resume();
      // Whatever the relay queued arrives within moments on loopback.
      let last = -1;
      while (replies.reduce((a, b) => a + b, 0) !== last) {
        last = replies.reduce((a, b) => a + b, 0);
        await new Promise((r) => setTimeout(r, 200));
      }
      return replies;
    },
    async stop() {
      stopSending();
      for (const ws of sockets) ws.terminate();
    },
  };
}

/** A pair in a room of their own: one floods the other, which never reads. */
export async function stalledReceiver(base: string, { perSecond = 5000, bytes = 8 * 1024 } = {}): Promise<{ stop: StopAttack; receiver: WebSocket; closed: Promise<number> }> {
  const room = `stall-${Math.random().toString(36).slice(2)}`;
  const receiver = await openClient(relayUrl(base, room, 'receiver'));
  const closed = new Promise<number>((resolve) => receiver.once('close', (code) => resolve(code)));
  streamOf(receiver).pause();
  const sender = await openClient(relayUrl(base, room, 'sender'));
  const frame = encodeEnvelope(EnvelopeKind.data, 'receiver', new Uint8Array(bytes).fill(7));
  const stop = paced(perSecond, (count) => {
    if (sender.readyState !== sender.OPEN) return;
    for (let i = 0; i < count; i++) sender.send(frame);
  });
  return {
    receiver,
    closed,
    stop: async () => {
      stop();
      sender.terminate();
      receiver.terminate();
    },
  };
}

/**
 * `clients` connections that each send all but the last byte of a `bytes`-long message, as a
 * first fragment that never gets its last, and keep their sockets alive with unsolicited pongs.
 */
export async function halfSentMessages(base: string, { clients = 50, bytes = 1024 * 1024, addresses = 1 } = {}): Promise<StopAttack> {
  const payload = new Uint8Array(bytes - 1).fill(1);
  payload.set(encodeEnvelope(EnvelopeKind.data, 'nobody', new Uint8Array(0)));
  const sockets: WebSocket[] = [];
  const opening = Array.from({ length: clients }, (_, i) =>
    openClient(relayUrl(base, `half-${i % 16}`, `h${i}`), `127.0.0.${2 + (i % addresses)}`).then((ws) => {
      sockets.push(ws);
      ws.send(payload, { binary: true, fin: false });
    }, () => undefined),
  );
  await Promise.all(opening);
  const pongs = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.pong();
  }, 100);
  return async () => {
    clearInterval(pongs);
    for (const ws of sockets) ws.terminate();
  };
}

/**
 * Raw TCP handshakes with a bad token, `concurrency` at a time; each socket stays open until
 * the relay closes it (it never answers the close frame), and is then replaced by a new one.
 */
export function badTokenHandshakes(port: number, { concurrency = 64, localAddress = attackerAddress } = {}): { stop: StopAttack; readonly attempts: number } {
  let running = true;
  let attempts = 0;
  const open = new Set<Socket>();
  const request =
    'GET /?room=cluster&node=mallory&token=bad.token HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  const one = (): void => {
    if (!running) return;
    attempts++;
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    open.add(socket);
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(request));
    // Reads (and ignores) what comes, so it sees the relay close the socket.
    socket.resume();
    socket.once('close', () => {
      open.delete(socket);
      one();
    });
  };
  for (let i = 0; i < concurrency; i++) one();
  return {
    get attempts() {
      return attempts;
    },
    async stop() {
      running = false;
      for (const socket of open) socket.destroy();
    },
  };
}
