/**
 * One RaftNode per tab over BroadcastChannel, with the fault hooks: the node's log is a
 * MemoryLogStore whose data outlive the node, so `crash` (stop) and `restart` (a new node on
 * the same data) model a process that dies and comes back with its disk. `window.kv` runs
 * client operations for the runner's history.
 */
import { broadcastChannelTransport, createMemoryLogData, MemoryLogStore, RaftNode } from '@webraft/core';
import { installTestHooks } from '@webraft/playwright/page';
import { KvStore, type KvInput, type OpOutput } from '@webraft/sim';

const params = new URLSearchParams(location.search);
const id = params.get('node') ?? 'a';
const members = (params.get('members') ?? id).split(',');
const channel = `raft-${params.get('cluster') ?? 'test'}`;
// Workers from blob: URLs (the tests' own) start without the hooks.
const hooks = installTestHooks({ tab: id, hookWorker: (url) => !String(url).startsWith('blob:') });
const disk = createMemoryLogData();
let node: RaftNode<KvStore> | undefined;
let seq = 0;

async function start(): Promise<void> {
  const started = await RaftNode.create({
    id,
    members,
    stateMachine: new KvStore(),
    log: new MemoryLogStore({ data: disk }),
    transport: broadcastChannelTransport({ id, channel }),
    tickMs: 50,
    electionTicks: 10,
    heartbeatTicks: 2,
  });
  await started.start();
  node = started;
}

hooks.watch(() => {
  const s = node?.status();
  return s && { leading: s.role === 'leader', role: s.role, term: s.term, commit: s.commit, leader: s.lead };
});
hooks.control({
  stop: async () => {
    const stopping = node;
    node = undefined;
    await stopping?.stop();
  },
  start,
});

async function op(input: KvInput, timeoutMs = 2000): Promise<OpOutput> {
  if (node === undefined) throw new Error(`node ${id} is down`);
  if (input.op === 'get') return node.read((kv) => kv.get(input.key), { timeoutMs });
  const result = await node.propose({ id: `${id}:${seq++}`, input }, { timeoutMs });
  if (input.op === 'put') return null;
  return result.applied ? true : { applied: false, value: result.value };
}

Object.assign(globalThis, { kv: { op, ready: start() } });
