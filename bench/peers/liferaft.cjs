'use strict';
// @markwylde/liferaft: 3 nodes in one process, a memdown (in-memory) log, packets handed
// between nodes in-process on the next macrotask turn.
const Raft = require('@markwylde/liferaft');
const Log = require('@markwylde/liferaft/log');
const memdown = require('memdown');

function createCluster() {
  const registry = new Map();
  class MemRaft extends Raft {
    initialize() {}
    write(packet, fn) {
      const target = registry.get(this.address);
      setImmediate(() => target.emit('data', packet, (reply) => fn(undefined, reply)));
    }
  }
  const ids = ['a', 'b', 'c'];
  const options = { 'election min': 150, 'election max': 300, heartbeat: 50, Log, adapter: () => memdown() };
  const nodes = ids.map((id) => new MemRaft(id, { ...options }));
  for (const node of nodes) {
    registry.set(node.address, node);
    for (const other of ids) if (other !== node.address) node.join(other);
  }
  return nodes;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function currentLeader(nodes) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const leader = nodes.find((node) => node.state === Raft.LEADER);
    if (leader) return leader;
    if (Date.now() > deadline) throw new Error('liferaft: no leader within 10 s');
    await sleep(20);
  }
}

/** Sends one command to whoever leads, retrying where leadership moved. */
async function command(nodes, body) {
  for (;;) {
    const leader = await currentLeader(nodes);
    try {
      await leader.command(body);
      return;
    } catch (err) {
      if (err.message !== 'NOTLEADER') throw err;
      await sleep(10);
    }
  }
}

async function end(nodes) {
  // Let the last acknowledgements land before the logs close under them.
  await sleep(100);
  for (const node of nodes) node.end();
}

/** Resolves once `id` is reported committed by some node. */
function commitWatcher(nodes) {
  const waiting = new Map();
  const seen = new Set();
  for (const node of nodes) {
    node.on('commit', (cmd) => {
      if (seen.has(cmd.id)) return;
      seen.add(cmd.id);
      waiting.get(cmd.id)?.();
      waiting.delete(cmd.id);
    });
  }
  return (id) => (seen.has(id) ? Promise.resolve() : new Promise((resolve) => waiting.set(id, resolve)));
}

exports.throughput = async function throughput({ total, inflight, payloadBytes }) {
  const nodes = createCluster();
  await currentLeader(nodes);
  await sleep(500);
  const committed = commitWatcher(nodes);
  const payload = 'x'.repeat(payloadBytes);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < total) {
      const id = next++;
      await command(nodes, { payload, id });
      await committed(id);
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await end(nodes);
  return { opsPerSec: total / seconds };
};

exports.latency = async function latency({ count, payloadBytes }) {
  const nodes = createCluster();
  await currentLeader(nodes);
  await sleep(500);
  const committed = commitWatcher(nodes);
  const payload = 'x'.repeat(payloadBytes);
  const samples = [];
  for (let id = 0; id < count; id++) {
    const t0 = process.hrtime.bigint();
    await command(nodes, { payload, id });
    await committed(id);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  await end(nodes);
  return samples;
};
