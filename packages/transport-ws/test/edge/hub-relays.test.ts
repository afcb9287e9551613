/**
 * What the relays on a standard WebSocket (a Durable Object, Deno) do differently from the
 * Node relay: they cannot stop reading a socket, so a member over its byte rate has frames
 * dropped; the Deno relay, many rooms in one process, also bounds their number.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/protocol.ts';
import { connectClient, type TestClient } from '../relay-client.ts';
import { denoRelay, durableObjectRelay, type RelayUnderTest } from '../relays.ts';
import { startDenoRelay, type DenoRelayProcess } from './deno-relay-process.ts';

const clients: TestClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate();
});

function join(url: string, room: string, node: string): TestClient {
  const client = connectClient(url, { room, node });
  clients.push(client);
  return client;
}

describe.each([durableObjectRelay, denoRelay])('$name', (kind) => {
  let relay: RelayUnderTest | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('drops the frames of a member over maxBytesPerSecond', async () => {
    relay = await kind.start({ maxBytesPerSecond: 64 * 1024, maxFrameBytes: 32 * 1024 });
    const a = join(relay.url, 'r', 'a');
    await a.welcome;
    const b = join(relay.url, 'r', 'b');
    await b.welcome;
    for (let i = 0; i < 40; i++) a.send('b', new Uint8Array(16 * 1024));
    await expect.poll(async () => {
      const { framesForwarded, dropped } = await relay!.stats('r');
      return framesForwarded + dropped.rateLimited;
    }).toBe(40);
    const { framesForwarded, dropped } = await relay.stats('r');
    // One second's worth at once (four frames, a few more as it refills), the rest dropped.
    expect(framesForwarded).toBeGreaterThanOrEqual(4);
    expect(framesForwarded).toBeLessThan(10);
    expect(dropped.rateLimited).toBe(40 - framesForwarded);
  });
});

describe('Deno relay', () => {
  let relay: DenoRelayProcess | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  it('limits rooms (4100), and forgets a room once it is empty', async () => {
    relay = await startDenoRelay({ maxRooms: 1 });
    const a = join(relay.url, 'r', 'a');
    await a.welcome;
    expect((await join(relay.url, 'other', 'a').closed).code).toBe(CloseCode.tooManyRooms);
    expect((await relay.stats()).rejected.tooManyRooms).toBe(1);
    a.ws.close();
    await expect.poll(async () => (await relay!.stats()).rooms).toBe(0);
    await join(relay.url, 'other', 'a').welcome;
  });
});
