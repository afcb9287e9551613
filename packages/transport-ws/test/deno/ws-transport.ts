/// <reference lib="deno.ns" />
// The WebSocket transport under Deno (its own global WebSocket and WebCrypto), against the
// relay whose URL is in RELAY_URL: the core's transport conformance suite, plain and with a
// cluster secret. Prints one JSON line; exits 1 if a case failed.
import { runCases, transportConformance } from '@webraft/core/testing';
import { webSocketTransport } from '../../src/index.ts';

const url = Deno.env.get('RELAY_URL');
if (!url) throw new Error('RELAY_URL is not set');
let room = 0;
const cluster = (secret?: string) => (ids: readonly string[]) => {
  const name = `deno-${room++}`;
  return { transports: ids.map((nodeId) => webSocketTransport({ url, room: name, nodeId, ...(secret !== undefined && { secret }) })) };
};

const plain = await runCases(transportConformance(cluster(), { timeoutMs: 15_000 }));
const authenticated = await runCases(transportConformance(cluster('cluster secret'), { timeoutMs: 15_000 }));
const failed = [...plain.failed, ...authenticated.failed].map((f) => `${f.name}: ${String(f.error)}`);
console.log(JSON.stringify({ passed: plain.passed.length + authenticated.passed.length, failed }));
Deno.exit(failed.length === 0 ? 0 : 1);
