'use strict';
// @coaty/consensus.raft: a TypeScript port of etcd's raft. Its RawNode is driven here in an
// etcd-style ready loop: 3 voters, MemoryStorage, messages delivered in-process.
const { RawNode } = require('@coaty/consensus.raft/ported/rawnode');
const { RaftConfig } = require('@coaty/consensus.raft/ported/raft');
const { MemoryStorage } = require('@coaty/consensus.raft/ported/storage');
const pb = require('@coaty/consensus.raft/ported/raftpb/raft.pb');

function createCluster(ids) {
  const nodes = new Map();
  for (const id of ids) {
    // As etcd's tests do: a fresh storage whose (empty) snapshot carries the initial voters.
    const storage = MemoryStorage.NewMemoryStorage();
    storage.snapshot.metadata.confState = new pb.ConfState({ voters: ids });
    const config = new RaftConfig({
      id,
      electionTick: 10,
      heartbeatTick: 1,
      storage,
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 256,
      maxUncommittedEntriesSize: 0,
      checkQuorum: true,
      preVote: true,
    });
    nodes.set(id, { rn: RawNode.NewRawNode(config), storage, applied: 0 });
  }
  return nodes;
}

const listsOf = new WeakMap();

/** Runs ready loops and delivers messages until the cluster is quiet. Returns entries applied on `observer`. */
function stabilize(nodes, observer, onApply) {
  // Arrays rather than Map entries, as in webraft's loop (bench/cases/core.ts).
  let lists = listsOf.get(nodes);
  if (lists === undefined) listsOf.set(nodes, (lists = { list: [...nodes.values()], listIds: [...nodes.keys()] }));
  const { list, listIds } = lists;
  let active = true;
  while (active) {
    active = false;
    const outbox = [];
    for (let i = 0; i < list.length; i++) {
      const node = list[i];
      const id = listIds[i];
      if (!node.rn.hasReady()) continue;
      active = true;
      const rd = node.rn.ready();
      if (rd.hardState && rd.hardState.term !== undefined) node.storage.SetHardState(rd.hardState);
      if (rd.entries.length > 0) node.storage.Append(rd.entries);
      for (const m of rd.messages) outbox.push(m);
      for (const e of rd.committedEntries) {
        if (id === observer && e.type === pb.EntryType.EntryNormal && e.data !== undefined && e.data !== null) onApply(e);
      }
      node.rn.advance(rd);
    }
    for (const m of outbox) nodes.get(m.to).rn.step(m);
  }
}

function elect(nodes, leaderId) {
  nodes.get(leaderId).rn.campaign();
  stabilize(nodes, leaderId, () => {});
  const status = nodes.get(leaderId).rn.raft.state;
  if (nodes.get(leaderId).rn.raft.lead !== leaderId) throw new Error(`coaty: ${leaderId} did not become leader (${status})`);
}

exports.throughput = function throughput({ total, inflight, payloadBytes }) {
  const ids = ['1', '2', '3'];
  const nodes = createCluster(ids);
  elect(nodes, '1');
  const leader = nodes.get('1').rn;
  const payload = 'x'.repeat(payloadBytes);
  let proposed = 0;
  let applied = 0;
  const started = process.hrtime.bigint();
  while (applied < total) {
    while (proposed < total && proposed - applied < inflight) {
      const err = leader.propose(payload);
      if (err) throw err;
      proposed++;
    }
    stabilize(nodes, '1', () => applied++);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { opsPerSec: total / seconds };
};

exports.latency = function latency({ count, payloadBytes }) {
  const ids = ['1', '2', '3'];
  const nodes = createCluster(ids);
  elect(nodes, '1');
  const leader = nodes.get('1').rn;
  const payload = 'x'.repeat(payloadBytes);
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    let done = false;
    leader.propose(payload);
    while (!done) stabilize(nodes, '1', () => (done = true));
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  return samples;
};
