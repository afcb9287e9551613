// A relay and three kv nodes on 127.0.0.1, until Ctrl-C. With --data-dir, a node process that dies
// (kill -9 it) is started again on its log directory a second later.
// node --conditions=source --import tsx examples/kv-server/start.ts [--relay-port 8787] [--http-port 8081] [--data-dir DIR] [--export-dir DIR]
import { parseArgs } from 'node:util';
import { startCluster } from './cluster.ts';

const { values } = parseArgs({
  options: {
    'relay-port': { type: 'string', default: '8787' },
    'http-port': { type: 'string', default: '8081' },
    'data-dir': { type: 'string' },
    'export-dir': { type: 'string' },
  },
});
const cluster = await startCluster({
  relayPort: Number(values['relay-port']),
  httpPort: Number(values['http-port']),
  ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
  ...(values['export-dir'] === undefined ? {} : { exportDir: values['export-dir'] }),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`relay ${cluster.relay.url} (room ${cluster.room})\n`);
for (const node of cluster.nodes.values()) process.stdout.write(`${node.id} ${node.url} (pid ${node.process.pid})\n`);
process.stdout.write(`try: curl -X PUT ${[...cluster.nodes.values()][0]!.url}/kv/greeting -d '{"value":"hello"}'\n`);

let stopping = false;
const supervise = (id: string): void => {
  cluster.nodes.get(id)!.process.once('exit', (code, signal) => {
    if (stopping) return;
    if (values['data-dir'] === undefined) {
      process.stderr.write(`${id} exited (${signal ?? code}); its log was in memory, so it stays down\n`);
      return;
    }
    process.stderr.write(`${id} exited (${signal ?? code}); restarting it on its log directory\n`);
    setTimeout(() => {
      cluster.restart(id).then(
        (node) => {
          process.stdout.write(`${id} ${node.url} (pid ${node.process.pid}, restarted)\n`);
          supervise(id);
        },
        (error: unknown) => process.stderr.write(`${id} did not restart: ${String(error)}\n`),
      );
    }, 1000);
  });
};
for (const id of cluster.nodes.keys()) supervise(id);

const stop = (): void => {
  stopping = true;
  cluster.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
