/// <reference lib="deno.ns" />
// Runs the codec, the memory and BroadcastChannel transports and the conformance suites under Deno.
import {
  DecodeError,
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeMessage,
} from '../../src/codec/index.ts';
import { MemoryLogStore, createMemoryLogData, type MemoryLogData } from '../../src/storage/memory.ts';
import { createMemoryNetwork } from '../../src/transport/memory.ts';
import { broadcastChannelTransport } from '../../src/transport/broadcast-channel.ts';
import {
  assert,
  assertEqual,
  logStoreConformance,
  runConformance,
  sampleMessages,
  transportConformance,
} from '../../src/testing/index.ts';

const it = (name: string, body: () => Promise<void>): void => {
  Deno.test(name, body);
};

Deno.test('codec: every message type round-trips', () => {
  for (const message of sampleMessages('n1', 'nœud-2')) {
    assertEqual(decodeMessage(encodeMessage(message)), message, `${message.type} round trip`);
  }
});

Deno.test('codec: authenticated frames round-trip and forgeries are refused', async () => {
  for (const message of sampleMessages('a', 'b')) {
    const bytes = await encodeFrame({ clusterId: 'c', message }, { secret: 'k' });
    assertEqual(await decodeFrame(bytes, { secret: 'k', clusterId: 'c' }), { clusterId: 'c', message }, `${message.type} frame`);
    const error = await decodeFrame(bytes, { secret: 'other' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert(error instanceof DecodeError && error.reason === 'auth', `a wrong secret must be refused with reason auth`);
  }
});

Deno.test('codec: every proper prefix of a frame is a DecodeError', async () => {
  const bytes = await encodeFrame({ clusterId: 'c', message: sampleMessages('a', 'b')[2]! });
  for (let cut = 0; cut < bytes.length; cut++) {
    const error = await decodeFrame(bytes.subarray(0, cut)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert(error instanceof DecodeError, `prefix of ${cut} bytes must be refused`);
  }
});

const disks = new Map<string, MemoryLogData>();
runConformance(
  logStoreConformance((name) => {
    let data = disks.get(name);
    if (data === undefined) disks.set(name, (data = createMemoryLogData()));
    return new MemoryLogStore({ data });
  }),
  { it },
);

runConformance(
  transportConformance((ids) => {
    const network = createMemoryNetwork();
    return { transports: ids.map((id) => network.transport(id)) };
  }),
  { it: (name, body) => it(`memory ${name}`, body) },
);

let channels = 0;
runConformance(
  transportConformance((ids) => {
    const channel = `deno-bc-${channels++}`;
    return { transports: ids.map((nodeId) => broadcastChannelTransport({ channel, nodeId, secret: 'deno' })) };
  }),
  { it: (name, body) => it(`BroadcastChannel ${name}`, body) },
);
