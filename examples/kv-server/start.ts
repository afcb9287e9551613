// A relay and three kv nodes on 127.0.0.1, until Ctrl-C.
// node --conditions=source --import tsx examples/kv-server/start.ts [--relay-port 8787] [--http-port 8081] [--export-dir DIR]
import { parseArgs } from 'node:util';
import { startCluster } from './cluster.ts';

const { values } = parseArgs({
  options: { 'relay-port': { type: 'string', default: '8787' }, 'http-port': { type: 'string', default: '8081' }, 'export-dir': { type: 'string' } },
});
const cluster = await startCluster({
  relayPort: Number(values['relay-port']),
  httpPort: Number(values['http-port']),
  ...(values['export-dir'] === undefined ? {} : { exportDir: values['export-dir'] }),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`relay ${cluster.relay.url} (room ${cluster.room})\n`);
for (const node of cluster.nodes.values()) process.stdout.write(`${node.id} ${node.url}\n`);
process.stdout.write(`try: curl -X PUT ${[...cluster.nodes.values()][0]!.url}/kv/greeting -d '{"value":"hello"}'\n`);
const stop = (): void => {
  cluster.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
