// What a node learns from its transport when the options are wrong or the relay cannot be
// reached: a rejected `start()` naming the option, and `status` reports naming the relay.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { TransportStatus } from '@webraft/core';
import { waitFor } from '@webraft/core/testing';
import { startRelay, type Relay } from '../src/relay/index.ts';
import {
  RelayConnectionError,
  RelayRefusedError,
  TransportOptionsError,
  webRTCTransport,
  webSocketTransport,
  type WebRTCTransportOptions,
  type WebSocketTransportOptions,
} from '../src/index.ts';

const base = { url: 'ws://127.0.0.1:9/', room: 'r', nodeId: 'a', WebSocket } satisfies WebSocketTransportOptions;

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startCollecting(transport: ReturnType<typeof webSocketTransport>) {
  const reports: TransportStatus[] = [];
  const started = transport.start({ message: () => undefined, status: (status) => reports.push(status) });
  return { reports, started };
}

describe('bad options', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['url', { url: 'not a url' }, /"not a url" is not a URL/],
    ['url', { url: 'ftp://127.0.0.1:9000/' }, /ws:\/\/ or wss:\/\/.*ftp:/],
    ['url', { url: 42 }, /a string/],
    ['url', { url: [] }, /at least one relay/],
    ['url[1]', { url: ['ws://127.0.0.1:9/', 'http://127.0.0.1:9/'] }, /ws:\/\/ or wss:\/\/.*http:/],
    ['room', { room: '' }, /non-empty string/],
    ['room', { room: 'r'.repeat(129) }, /128 bytes/],
    ['nodeId', { nodeId: undefined }, /non-empty string/],
    ['nodeId', { nodeId: 'n'.repeat(65) }, /64 bytes/],
    ['token', { token: 5 }, /string or a function/],
    ['secret', { secret: 7 }, /string or a Uint8Array/],
    ['WebSocket', { WebSocket: undefined }, /`ws` package/],
    ['WebSocket', { WebSocket: 'ws' }, /constructor/],
    ['maxFrameBytes', { maxFrameBytes: -1 }, /integer/],
    ['maxBufferedBytes', { maxBufferedBytes: Number.NaN }, /number ≥ 0/],
    ['connectTimeoutMs', { connectTimeoutMs: -5 }, /number ≥ 0/],
    ['keepAliveMs', { keepAliveMs: 0 }, /number > 0/],
    ['backoff.jitter', { backoff: { jitter: 2 } }, /between 0 and 1/],
    ['backoff.factor', { backoff: { factor: 0.5 } }, /≥ 1/],
    ['clock', { clock: {} }, /now, setTimeout and clearTimeout/],
    ['onRefused', { onRefused: 'yes' }, /function/],
  ];

  it.each(cases)('reject start() with a TransportOptionsError naming %s', async (option, override, detail) => {
    const transport = webSocketTransport({ ...base, ...override } as unknown as WebSocketTransportOptions);
    const { reports, started } = startCollecting(transport);
    const error = await started.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportOptionsError);
    expect(error).toMatchObject({ name: 'TransportOptionsError', option });
    expect((error as Error).message).toMatch(new RegExp(`^webSocketTransport option \`${option.replace(/[.[\]]/g, '\\$&')}\``));
    expect((error as Error).message).toMatch(detail);
    expect(reports).toEqual([{ state: 'failed', error }]);
    expect(transport.status).toEqual({ state: 'refused', error });
    transport.send({ type: 'timeoutNow', from: 'a', to: 'b', term: 1 });
    await transport.close();
  });

  it('does not throw from the factory, nor leave a rejection unhandled when start is never called', async () => {
    const transport = webSocketTransport({ ...base, url: 'not a url' });
    expect(transport.status).toMatchObject({ state: 'refused', error: { name: 'TransportOptionsError', option: 'url' } });
    await transport.close();
  });

  it('names the WebRTC options too, and a missing WebRTC implementation', async () => {
    const rtc = (override: Partial<WebRTCTransportOptions>) => webRTCTransport({ ...base, wrtc: {} as never, ...override } as WebRTCTransportOptions);
    await expect(rtc({ channelConnectTimeoutMs: -1 }).start({ message: () => undefined })).rejects.toMatchObject({ option: 'channelConnectTimeoutMs' });
    await expect(rtc({ iceServers: 'stun:x' as never }).start({ message: () => undefined })).rejects.toMatchObject({ option: 'iceServers' });
    await expect(rtc({ wrtc: undefined }).start({ message: () => undefined })).rejects.toMatchObject({ option: 'wrtc' });
  });
});

describe('an unreachable relay', () => {
  const quick = { connectTimeoutMs: 300, backoff: { initialMs: 20, maxMs: 50 } };

  it('is reported with the URL and the network error when nothing listens on the port', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/`;
    const transport = webSocketTransport({ ...base, ...quick, url });
    const { reports, started } = startCollecting(transport);
    await waitFor(() => reports.length >= 2, 5000, 'two failed attempts');
    // `start` still resolves after connectTimeoutMs: the relay may come up later.
    await started;
    const [first] = reports;
    expect(first!.state).toBe('connecting');
    expect(first!.error).toBeInstanceOf(RelayConnectionError);
    expect(first!.error!.message).toBe(`cannot reach the relay at ${url}: connect ECONNREFUSED ${url.slice(5, -1)}`);
    expect(transport.status).toMatchObject({ state: 'connecting', lastClose: { code: 1006 }, error: expect.any(RelayConnectionError) });
    await transport.close();
  });

  it('is reported with the URL when the host name does not resolve', async () => {
    const url = 'ws://relay.webraft.invalid:8787/';
    const transport = webSocketTransport({ ...base, ...quick, url });
    const { reports, started } = startCollecting(transport);
    await waitFor(() => reports.length >= 1, 15_000, 'a failed attempt');
    expect(reports[0]).toMatchObject({ state: 'connecting', error: { name: 'RelayConnectionError', url } });
    expect(reports[0]!.error!.message).toMatch(/^cannot reach the relay at ws:\/\/relay\.webraft\.invalid:8787\/: getaddrinfo \w+ relay\.webraft\.invalid/);
    await started;
    await transport.close();
  });

  it('never puts the room token in what it reports', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/`;
    const transport = webSocketTransport({ ...base, ...quick, url, token: 'secret-token-value' });
    const { reports, started } = startCollecting(transport);
    await waitFor(() => reports.length >= 1, 5000, 'a failed attempt');
    await started;
    expect(reports[0]!.error!.message).not.toContain('secret-token-value');
    await transport.close();
  });

  it('reports a token function that throws, and keeps trying', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/`;
    const transport = webSocketTransport({ ...base, ...quick, url, token: () => Promise.reject(new Error('login expired')) });
    const { reports, started } = startCollecting(transport);
    await waitFor(() => reports.length >= 2, 5000, 'two failed attempts');
    await started;
    expect(reports[0]).toMatchObject({ state: 'connecting', error: { name: 'RelayConnectionError', message: 'the token function failed: login expired' } });
    expect(reports[0]!.error!.cause).toMatchObject({ message: 'login expired' });
    await transport.close();
  });
});

describe('a reachable relay', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({ port: 0, tokenSecret: 'relay secret' });
  });
  afterAll(() => relay.close());

  it('reports connected once admitted, and the refusal as failed', async () => {
    const refused = webSocketTransport({ ...base, url: relay.url, token: 'not a token' });
    const { reports, started } = startCollecting(refused);
    await expect(started).rejects.toBeInstanceOf(RelayRefusedError);
    expect(reports).toEqual([{ state: 'failed', error: expect.objectContaining({ name: 'RelayRefusedError', code: 4001 }) }]);
    expect(refused.status).toMatchObject({ state: 'refused', error: { code: 4001 } });
    await refused.close();
  });
});

describe('a relay that goes away', () => {
  it('reports the loss, then the reconnection', async () => {
    const relay = await startRelay({ port: 0 });
    const transport = webSocketTransport({ ...base, url: relay.url, backoff: { initialMs: 20, maxMs: 50 } });
    const { reports, started } = startCollecting(transport);
    await started;
    expect(reports).toEqual([{ state: 'connected' }]);
    expect(transport.status).toEqual({ state: 'admitted', url: relay.url });
    const { port, url } = relay;
    await relay.close();
    await waitFor(() => reports.length >= 2, 5000, 'the loss');
    expect(reports[1]).toMatchObject({ state: 'connecting', error: { name: 'RelayConnectionError' } });
    expect(reports[1]!.error!.message).toMatch(new RegExp(`^lost the relay at ${url.replaceAll('/', '\\/')}`));
    const again = await startRelay({ port });
    await waitFor(() => transport.status.state === 'admitted', 5000, 'the reconnection');
    expect(reports.at(-1)).toEqual({ state: 'connected' });
    await transport.close();
    await again.close();
  });
});

describe('a list of relays', () => {
  it('tries the next relay when one cannot be reached, and moves on when its relay goes away', async () => {
    const [first, second] = await Promise.all([startRelay({ port: 0 }), startRelay({ port: 0 })]);
    const dead = `ws://127.0.0.1:${await closedPort()}/`;
    const transport = webSocketTransport({ ...base, url: [dead, first.url, second.url], backoff: { initialMs: 20, maxMs: 50 } });
    const { reports, started } = startCollecting(transport);
    await started;
    expect(transport.status).toMatchObject({ state: 'admitted', url: first.url });
    expect(reports[0]).toMatchObject({ state: 'connecting', error: { name: 'RelayConnectionError', url: dead } });
    await first.close();
    await waitFor(() => transport.status.state === 'admitted' && transport.status.url === second.url, 5000, 'admitted at the second relay');
    expect(second.rooms()).toEqual([{ room: 'r', members: ['a'] }]);
    await transport.close();
    await second.close();
  });
});
