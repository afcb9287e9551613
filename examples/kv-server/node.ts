// One node process: a RaftNode over the relay, its HTTP API, and its status for `webraft status`.
// node --conditions=source --import tsx examples/kv-server/node.ts --id n1 --members n1,n2,n3 --relay ws://127.0.0.1:8787 [--room kv] [--port 0] [--export-dir DIR]
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { MemoryLogStore, RaftNode, createMemoryLogData } from '@webraft/core';
import { exportLog, serializeLogExport } from '@webraft/core/log-export';
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
    'export-dir': { type: 'string' },
  },
});
if (!values.id || !values.members || !values.relay) {
  process.stderr.write('usage: node.ts --id ID --members a,b,c --relay ws://HOST:PORT [--room R] [--port N]\n');
  process.exit(2);
}

const disk = createMemoryLogData();
const node = await RaftNode.create({
  id: values.id,
  members: values.members.split(','),
  stateMachine: new KvStateMachine(),
  log: new MemoryLogStore({ data: disk }),
  transport: webSocketTransport({ url: values.relay, room: values.room, nodeId: values.id, WebSocket: WebSocket as unknown as WebSocketConstructor }),
});
node.on('leaderChanged', ({ leader, term }) => process.stderr.write(`[${values.id}] leader ${leader || '(none)'} in term ${term}\n`));
const status = serveStatus({ url: values.relay, room: values.room, node, WebSocket: WebSocket as unknown as StatusSocketConstructor });
await node.start();

const server = createServer(kvHandler(node));
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
    const exported = await exportLog(new MemoryLogStore({ data: disk }));
    await writeFile(join(exportDir, `${values.id}.json`), serializeLogExport(exported));
  }
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Started by cluster.ts: go when it goes.
process.stdin.on('end', stop);
process.stdin.resume();
