/// <reference lib="deno.ns" />
// The Deno relay as a process for the tests: `deno run --allow-net --allow-env --conditions
// source test/edge/deno-relay.ts`, its options as JSON in RELAY_OPTIONS; prints
// "listening on ws://…" on stderr, and stops on SIGTERM.
import { serveRelay, type DenoServeOptions } from '../../src/deno/index.ts';

const options = JSON.parse(Deno.env.get('RELAY_OPTIONS') ?? '{}') as DenoServeOptions;
const relay = await serveRelay({ port: 0, ...options });
console.error(`webraft relay listening on ${relay.url}`);
Deno.addSignalListener('SIGTERM', () => {
  relay.close().then(() => Deno.exit(0));
});
