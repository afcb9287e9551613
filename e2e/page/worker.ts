/**
 * One tab's Raft node, in a dedicated Worker as in the playground's live mode: timers keep
 * running while the tab is hidden, and the log lives in IndexedDB so a closed tab, a crashed
 * browser or a reload loses nothing acknowledged. The state machine is the simulator's
 * key-value store, so client histories can go to the project's linearizability checker.
 */
/// <reference lib="webworker" />
// First: this tab's faults on every channel and transport of the worker (test hooks).
import { faultTransport } from '@webraft/playwright/worker';
import { broadcastChannelTransport, RaftNode, type Transport } from '@webraft/core';
import { indexedDBLogStore } from '@webraft/log-indexeddb';
import { KvStore, type KvCommand } from '@webraft/sim';
import { webSocketTransport } from '@webraft/transport-ws';
import { PageBridgeTransport } from './bridge.ts';
import type { NodeConfig, NodeReport, PageToWorker, Request, WorkerToPage } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: WorkerToPage) => self.postMessage(message);

let node: RaftNode<KvStore> | undefined;
let bridge: PageBridgeTransport | undefined;

function event(text: string): void {
  post({ type: 'event', event: { time: performance.timeOrigin + performance.now(), text } });
}

function makeTransport(config: NodeConfig): Transport {
  switch (config.transport) {
    case 'broadcast':
      // The hooks' BroadcastChannel brings the faults.
      return broadcastChannelTransport({ id: config.id, channel: `${config.cluster}-raft` });
    case 'relay':
      return faultTransport(webSocketTransport({ nodeId: config.id, url: config.relayUrl, room: config.cluster }));
    case 'webrtc':
      // RTCPeerConnection exists only on the page: the page runs the transport (with the faults), this end relays.
      return (bridge = new PageBridgeTransport(config.id, (frame) => post({ type: 'send', frame })));
  }
}

async function start(config: NodeConfig): Promise<void> {
  const log = indexedDBLogStore({ name: `${config.cluster}-${config.id}`, nodeId: config.id, clusterId: config.cluster, onLocked: 'wait' });
  const transport = makeTransport(config);
  node = await RaftNode.create({
    id: config.id,
    ...(config.members.length > 0 ? { members: config.members } : {}),
    stateMachine: new KvStore(),
    log,
    transport,
    tickMs: 50,
    electionTicks: 10,
    heartbeatTicks: 2,
    snapshotEvery: 500,
    snapshotKeepEntries: 50,
  });
  node.on('roleChanged', (e) => event(`became ${e.role} in term ${e.term}`));
  // A leader that moves to a higher term without stepping down leads in that term too. The
  // node reports a new role right after the new term, so look once that is done.
  node.on('termChanged', (e) => {
    setTimeout(() => {
      if (node?.isLeader === true && node.status().term === e.term) event(`leads in term ${e.term}`);
    }, 0);
  });
  let committedTerm = -1;
  node.on('committed', () => {
    const s = node?.status();
    if (s === undefined || s.role !== 'leader' || s.term === committedTerm) return;
    committedTerm = s.term;
    event(`leader commits in term ${s.term}`);
  });
  node.on('leaderChanged', (e) => event(`leader ${e.leader === '' ? 'none' : e.leader} in term ${e.term}`));
  node.on('membershipChanged', (e) => event(`members ${e.conf.voters.join(',')} at ${e.index}`));
  node.on('messageRejected', (e) => event(`rejected from ${e.from ?? '?'}: ${e.reason} ${e.detail ?? ''}`));
  node.on('snapshotInstalled', (e) => event(`installed snapshot at ${e.index}`));
  node.on('error', (e) => event(`error ${e.error.name}: ${e.error.message}${e.fatal ? ' (fatal)' : ''}`));
  await node.start();
  const s = node.status();
  event(`started with ${s.lastIndex} entries (term ${s.term}, commit ${s.commit})${config.mutant ? `, mutant ${config.mutant}` : ''}`);
  post({ type: 'ready', recovered: { lastIndex: s.lastIndex, commit: s.commit, term: s.term } });
  setInterval(report, 100);
}

function report(): void {
  if (node === undefined) return;
  const s = node.status();
  const r: NodeReport = { id: s.id, role: s.role, term: s.term, lead: s.lead, commit: s.commit, applied: s.applied, lastIndex: s.lastIndex, conf: s.conf };
  post({ type: 'report', report: r });
}

async function serve(n: RaftNode<KvStore>, request: Request): Promise<unknown> {
  switch (request.type) {
    case 'propose':
      return n.propose(request.command as KvCommand, { timeoutMs: request.timeoutMs });
    case 'read':
      return n.read((kv) => kv.get(request.key), { timeoutMs: request.timeoutMs });
    case 'addMember':
      return n.addMember(request.id, { timeoutMs: request.timeoutMs });
    case 'dump':
      // The applied state, compared across tabs once the cluster has converged.
      return { applied: n.status().applied, digest: n.stateMachine.digest() };
  }
}

async function handle(message: PageToWorker): Promise<void> {
  switch (message.type) {
    case 'start':
      return start(message.config);
    case 'request':
      try {
        if (node === undefined) throw new Error('node not started');
        post({ type: 'reply', req: message.req, ok: true, value: await serve(node, message.request) });
      } catch (error) {
        const e = error as Error;
        post({ type: 'reply', req: message.req, ok: false, name: e.name, message: e.message });
      }
      return;
    case 'deliver':
      bridge?.deliver(message.frame);
      return;
  }
}

self.onmessage = (e: MessageEvent<PageToWorker>) => {
  handle(e.data).catch((error: Error) => post({ type: 'failed', error: `${error.name}: ${error.message}` }));
};
