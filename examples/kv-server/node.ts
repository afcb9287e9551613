// One node process: a RaftNode over the relay, its HTTP API, and its status for `webraft status`.
// node --conditions=source --import tsx examples/kv-server/node.ts --id n1 --members n1,n2,n3 --relay ws://127.0.0.1:8787 [--room kv] [--port 0] [--data-dir DIR] [--export-dir DIR]
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { MemoryLogStore, RaftNode, createMemoryLogData } from '@webraft/core';
import { exportLog, serializeLogExport } from '@webraft/core/log-export';
import { fileLogStore } from '@webraft/log-file';
import { webSocketTransport, type WebSocketConstructor } from '@webraft/transport-ws';
import { serveStatus, type StatusSocketConstructor } from '@webraft/cli';
import { KvStateMachine } from './kv.ts';
import { kvHandler } from './http-api.ts';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    members: { type: 'string' },
    relay: { type: 'string' },
    room: { type: 'string', default: 'kv' },
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    'export-dir': { type: 'string' },
  },
});
if (!values.id || !values.members || !values.relay) {
  process.stderr.write('usage: node.ts --id ID --members a,b,c --relay ws://HOST:PORT [--room R] [--port N] [--data-dir DIR] [--export-dir DIR]\n');
  process.exit(2);
}

// With --data-dir the log is durable: a killed node restarted on the same directory comes back
// with its term, vote and entries. Without it the log lives and dies with the process.
const dataDir = values['data-dir'];
const disk = createMemoryLogData();
const openLog = () => (dataDir === undefined ? new MemoryLogStore({ data: disk }) : fileLogStore({ dir: dataDir }));
const node = await RaftNode.create({
  id: values.id,
  members: values.members.split(','),
  stateMachine: new KvStateMachine(),
  log: openLog(),
  transport: webSocketTransport({ url: values.relay, room: values.room, nodeId: values.id, WebSocket: WebSocket as unknown as WebSocketConstructor }),
});
node.on('leaderChanged', ({ leader, term }) => process.stderr.write(`[${values.id}] leader ${leader || '(none)'} in term ${term}\n`));
// What this node read from its log, before it heard from anyone.
const loaded = node.status();
const status = serveStatus({ url: values.relay, room: values.room, node, WebSocket: WebSocket as unknown as StatusSocketConstructor });
await node.start();

const server = createServer(kvHandler(node, { term: loaded.term, lastIndex: loaded.lastIndex, commit: loaded.commit }));
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${values.id} http://127.0.0.1:${port}\n`);
});

const stop = async (): Promise<void> => {
  status.close();
  server.close();
  await node.stop();
  // For `webraft inspect`: the log as this node kept it.
  const exportDir = values['export-dir'];
  if (exportDir !== undefined) {
    // The node has closed its log, so it can be opened again to read it.
    const log = openLog();
    const exported = await exportLog(log);
    await log.close();
    await writeFile(join(exportDir, `${values.id}.json`), serializeLogExport(exported));
  }
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Started by cluster.ts: go when it goes.
process.stdin.on('end', stop);
process.stdin.resume();
