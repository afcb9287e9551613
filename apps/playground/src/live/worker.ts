/**
 * One live tab's Raft node, in a dedicated Worker so that its timers keep running when the
 * tab is hidden. Its log lives in IndexedDB, so a crash (the page terminates this worker) or
 * a reload loses nothing that was acknowledged.
 */
/// <reference lib="webworker" />
import { broadcastChannelTransport, RaftNode, type ClientSession, type Entry, type Transport } from '@webraft/core';
import { indexedDBLogStore } from '@webraft/log-indexeddb';
import { ObservedTransport } from './observed-transport.ts';
import { PortTransport, type BridgeToWorker } from './port-transport.ts';
import type { LogTailEntry, NodeReport, PageToWorker, StartRequest, WorkerToPage } from './protocol.ts';
import { TodoList, validateTodoCommand, type TodoCommand } from './todo.ts';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: WorkerToPage) => self.postMessage(message);
const decoder = new TextDecoder();

let node: RaftNode<TodoList> | undefined;
let transport: ObservedTransport | undefined;
let log: ReturnType<typeof indexedDBLogStore> | undefined;
let config: StartRequest | undefined;
const todos = new TodoList();

function label(entry: Entry): string {
  if (entry.type === 'noop') return 'noop';
  if (entry.type === 'config') return 'config';
  try {
    const c = JSON.parse(decoder.decode(entry.data)) as TodoCommand;
    return c.op === 'add' || c.op === 'edit' ? `${c.op} ${c.text}` : c.op;
  } catch {
    return '?';
  }
}

let port: PortTransport | undefined;

/**
 * WebRTC exists only on a page's main thread, so for it the page runs the transport and this
 * worker talks to it through a PortTransport. The relay code is loaded only by tabs that use it.
 */
async function makeTransport(start: StartRequest): Promise<Transport> {
  if (start.transport === 'broadcast') return broadcastChannelTransport({ id: start.id, channel: `${start.cluster}-raft` });
  if (start.transport === 'webrtc') return (port = new PortTransport(start.id, (m) => self.postMessage(m)));
  const { webSocketTransport } = await import('@webraft/transport-ws');
  return webSocketTransport({ nodeId: start.id, url: start.relayUrl, room: start.cluster });
}

async function tail(lastIndex: number, firstIndex: number): Promise<LogTailEntry[]> {
  if (log === undefined || lastIndex < firstIndex) return [];
  const from = Math.max(firstIndex, lastIndex - 15);
  try {
    const entries = await log.entries(from, lastIndex + 1);
    return entries.map((e) => ({ index: e.index, term: e.term, label: label(e) }));
  } catch {
    // Compaction may race the read; the next report shows the new tail.
    return [];
  }
}

async function report(): Promise<void> {
  if (node === undefined || transport === undefined || config === undefined) return;
  const s = node.status();
  const r: NodeReport = {
    id: s.id,
    role: s.role,
    term: s.term,
    vote: s.vote,
    lead: s.lead,
    commit: s.commit,
    applied: s.applied,
    firstIndex: s.firstIndex,
    lastIndex: s.lastIndex,
    voters: s.conf.voters,
    isolated: transport.isolated,
    tail: await tail(s.lastIndex, s.firstIndex),
    transport: config.transport,
    messagesSent: transport.sent,
    messagesReceived: transport.received,
  };
  post({ type: 'report', report: r, sent: transport.takeRecent() });
}

function event(text: string): void {
  if (config !== undefined) post({ type: 'event', event: { time: Date.now(), node: config.id, text } });
}

async function start(request: StartRequest): Promise<void> {
  config = request;
  log = indexedDBLogStore({ name: `${request.cluster}-${request.id}`, nodeId: request.id, clusterId: request.cluster, onLocked: 'wait' });
  transport = new ObservedTransport(await makeTransport(request));
  todos.onChange((items, index) => post({ type: 'todos', items, index }));
  node = await RaftNode.create({
    id: request.id,
    members: request.members,
    stateMachine: todos,
    log,
    transport,
    tickMs: 50,
    electionTicks: 10,
    heartbeatTicks: 2,
    snapshotEvery: 200,
    snapshotKeepEntries: 20,
  });
  node.on('roleChanged', (e) => event(`became ${e.role === 'preCandidate' ? 'pre-candidate' : e.role} in term ${e.term}`));
  node.on('leaderChanged', (e) => {
    if (e.leader === request.id) return;
    event(e.leader === '' ? `lost its leader (term ${e.term})` : `follows ${e.leader.toUpperCase()} (term ${e.term})`);
  });
  node.on('snapshotTaken', (e) => event(`took a snapshot at index ${e.index}`));
  node.on('snapshotInstalled', (e) => event(`installed a snapshot up to index ${e.index}`));
  node.on('error', (e) => event(`error: ${e.error.message}${e.fatal ? ' (stopped)' : ''}`));
  await node.start();
  const s = node.status();
  post({ type: 'ready', recovered: { entries: s.lastIndex, commit: s.commit, term: s.term } });
  post({ type: 'todos', items: todos.items, index: s.applied });
  setInterval(() => void report(), 200);
}

let session: Promise<ClientSession<TodoList>> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** A lost registration only leaves an unused session behind, so it is simply tried again. */
async function openSession(live: RaftNode<TodoList>): Promise<ClientSession<TodoList>> {
  for (let attempt = 1; ; attempt++) {
    try {
      await live.waitForLeader();
      return await live.openSession({ timeoutMs: 2500 });
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}

/**
 * Proposes through an exactly-once session, one request at a time (a session keeps the result of
 * its latest request only): a proposal forwarded to a leader that then vanished is retried
 * with the same sequence number instead of being lost or applied twice.
 */
function proposeOnce(command: TodoCommand): Promise<unknown> {
  const run = async () => {
    const live = node!;
    session ??= openSession(live);
    const s = await session.catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return s.propose(command, { timeoutMs: 2500, attempts: 5 });
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

async function handle(message: PageToWorker): Promise<void> {
  switch (message.type) {
    case 'start':
      return start(message);
    case 'propose':
    case 'read': {
      try {
        if (node === undefined) throw new Error('node not started');
        const value = message.type === 'propose' ? await proposeOnce(validateTodoCommand(message.command)) : await node.read((list) => list.items);
        post({ type: 'reply', req: message.req, ok: true, value });
      } catch (error) {
        const e = error as Error & { leader?: string };
        post({ type: 'reply', req: message.req, ok: false, error: e.message, name: e.name, ...(e.leader === undefined ? {} : { leader: e.leader }) });
      }
      return;
    }
    case 'isolate':
      if (transport !== undefined) transport.isolated = message.on;
      event(message.on ? 'isolated from the network' : 'reconnected to the network');
      return report();
    case 'campaign':
      node?.campaign();
      return;
    case 'stop':
      await node?.stop();
      self.close();
  }
}

self.onmessage = (event: MessageEvent<PageToWorker | BridgeToWorker>) => {
  const data = event.data;
  if (data.type === 'net-recv' || data.type === 'net-rejected' || data.type === 'net-reachability') {
    port?.deliver(data);
    return;
  }
  handle(data).catch((error: Error) => post({ type: 'failed', error: `${error.name}: ${error.message}` }));
};
