// Bundled into a plain page: runs the codec checks and the conformance suites with no test runner.
import { decodeFrame, encodeFrame } from '../../src/codec/index.ts';
import { MemoryLogStore, createMemoryLogData, type MemoryLogData } from '../../src/storage/memory.ts';
import { broadcastChannelTransport } from '../../src/transport/broadcast-channel.ts';
import { createMemoryNetwork } from '../../src/transport/memory.ts';
import {
  assertEqual,
  logStoreConformance,
  runCases,
  sampleMessages,
  transportConformance,
  type ConformanceCase,
} from '../../src/testing/index.ts';
import type { Message } from '../../src/raft/types.ts';

const codecCases: ConformanceCase[] = [
  {
    name: 'codec: authenticated frames of every type round-trip with WebCrypto',
    async run() {
      for (const message of sampleMessages('n1', 'nœud-2')) {
        const bytes = await encodeFrame({ clusterId: 'c', message }, { secret: 'browser' });
        assertEqual(await decodeFrame(bytes, { secret: 'browser' }), { clusterId: 'c', message }, message.type);
      }
    },
  },
];

const disks = new Map<string, MemoryLogData>();
let channels = 0;

const suites: ConformanceCase[] = [
  ...codecCases,
  ...logStoreConformance((name) => {
    let data = disks.get(name);
    if (data === undefined) disks.set(name, (data = createMemoryLogData()));
    return new MemoryLogStore({ data });
  }),
  ...transportConformance((ids) => {
    const network = createMemoryNetwork();
    return { transports: ids.map((id) => network.transport(id)) };
  }),
  ...transportConformance((ids) => {
    const channel = `page-bc-${channels++}`;
    return { transports: ids.map((nodeId) => broadcastChannelTransport({ channel, nodeId, secret: 'page' })) };
  }),
];

declare global {
  interface Window {
    runConformance(): Promise<{ passed: string[]; failed: { name: string; message: string }[] }>;
    /** Cross-tab check: joins `channel` as `id`, sends one ping to `peer`, resolves with what arrived. */
    pingTab(channel: string, id: string, peer: string): Promise<Message[]>;
  }
}

window.runConformance = async () => {
  const { passed, failed } = await runCases(suites);
  return { passed, failed: failed.map((f) => ({ name: f.name, message: String((f.error as Error)?.message ?? f.error) })) };
};

window.pingTab = (channel, id, peer) =>
  new Promise((resolve) => {
    const received: Message[] = [];
    const transport = broadcastChannelTransport({ channel, nodeId: id, secret: 'tabs' });
    transport.start({ message: (m) => received.push(m) });
    // Ping until the peer's ping arrived, then a little longer so the peer surely hears one of ours.
    let lingering = 0;
    const timer = setInterval(() => {
      transport.send({ type: 'heartbeat', from: id, to: peer, term: 1, commit: 0, context: Uint8Array.of(1, 2, 3) });
      if (received.length > 0 && ++lingering > 10) {
        clearInterval(timer);
        void transport.close().then(() => resolve(received));
      }
    }, 20);
  });
