/**
 * Request targets and room names from the network, parsed where a bad one cannot take the
 * process down, and room names that leave nothing behind once their rooms are gone.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, startRelay, type Relay } from '../../src/relay/index.ts';
import { openClient, relayUrl } from './attacks.ts';

let relay: Relay | undefined;
let server: Server | undefined;

afterEach(async () => {
  await relay?.close();
  relay = undefined;
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  }
});

/** Sends a raw HTTP request and resolves with everything answered until the relay closed the socket. */
function rawRequest(port: number, head: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(head);
  });
}

const statusLine = (answer: Buffer): string => answer.toString('latin1').split('\r\n')[0]!;

/** The code of the close frame that follows a 101 answer. */
function closeCode(answer: Buffer): number {
  const frame = answer.subarray(answer.indexOf('\r\n\r\n') + 4);
  expect(frame[0]).toBe(0x88);
  return frame.readUInt16BE(2);
}

const upgradeTo = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

describe('request targets that do not parse', () => {
  it('leave a relay on the application’s server, and the process, standing', async () => {
    server = createServer((_request, response) => response.end('app'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    relay = await startRelay({ server, path: '/relay' });
    // The application's own handler for upgrades the relay leaves alone, called after the relay's.
    server.on('upgrade', (request, socket) => {
      if (!request.url?.startsWith('/relay')) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    for (const target of ['//[', '//[::1', 'http://[', '/%ZZ', '//']) {
      expect(statusLine(await rawRequest(port, upgradeTo(target)))).toBe('HTTP/1.1 404 Not Found');
    }
    const ws = await openClient(relayUrl(`ws://127.0.0.1:${port}/relay`, 'r', 'a'), '127.0.0.1');
    ws.close();
  });

  it('are refused with 4000 by a relay of its own', async () => {
    relay = await startRelay({ port: 0 });
    const answer = await rawRequest(relay.port, upgradeTo('//['));
    expect(statusLine(answer)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(closeCode(answer)).toBe(CloseCode.badRequest);
    expect(relay.stats().rejected.badRequest).toBe(1);
  });
});

describe('the admin API', () => {
  it('answers 400 to room names that are not valid percent-encoding', async () => {
    relay = await startRelay({ port: 0, admin: { token: 't' } });
    const base = `${relay.url.replace('ws:', 'http:')}admin/rooms`;
    const auth = { authorization: 'Bearer t' };
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await fetch(`${base}/%ZZ/faults`, { method, headers: auth, ...(method === 'POST' && { body: '{"from":"a","to":"b","cut":true}' }) });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'room name is not valid percent-encoding' });
    }
    expect((await fetch(`${base}/r%20x/faults`, { headers: auth })).status).toBe(200);
  });
});

describe('room names', () => {
  it('leave no fault table behind once their rooms are gone, nor when only asked about', async () => {
    relay = await startRelay({ port: 0, admin: { token: 't' }, maxHandshakesPerSecondPerAddress: 10_000 });
    for (let batch = 0; batch < 10; batch++) {
      const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => openClient(relayUrl(relay!.url, `room-${batch}-${i}`, 'x'))));
      for (const ws of clients) ws.close();
      await Promise.all(clients.map((ws) => new Promise((resolve) => (ws.readyState === ws.CLOSED ? resolve(undefined) : ws.once('close', resolve)))));
    }
    const auth = { authorization: 'Bearer t' };
    for (let i = 0; i < 100; i++) await fetch(`${relay.url.replace('ws:', 'http:')}admin/rooms/asked-${i}/faults`, { headers: auth });
    await expect.poll(() => relay!.stats().rooms).toBe(0);
    expect(relay.stats().faultTables).toBe(0);

    // Rules set ahead of a room stay until healed; a table the application asked for stays.
    relay.faults('kept');
    const post = (room: string) =>
      fetch(`${relay!.url.replace('ws:', 'http:')}admin/rooms/${room}/faults`, { method: 'POST', headers: auth, body: JSON.stringify({ from: 'a', to: 'b', cut: true }) });
    await post('ahead');
    expect(relay.stats().faultTables).toBe(2);
    await fetch(`${relay.url.replace('ws:', 'http:')}admin/rooms/ahead/faults`, { method: 'DELETE', headers: auth });
    expect(relay.stats().faultTables).toBe(1);
  });
});
