/**
 * Leader behaviour: proposals, acknowledgements (§5.3), heartbeat responses, snapshot
 * acknowledgements, ReadIndex and leadership transfer (thesis §3.10).
 */
import type { ConfChange, ConfState, Entry, Message, NodeId, Rejection } from './types.ts';
import type { ProposeOutcome } from './contract.ts';
import type { Raft } from './raft.ts';
import { staleProposal } from './follower.ts';
import { decodeConfEntry, encodeConfEntry } from './conf-change-codec.ts';
import { applyConfChange, isJoint } from './confchange.ts';
import {
  bcastAppend,
  leaderReadIndex,
  readPending,
  respondRead,
  rewindSnapshot,
  sendAppend,
  sendSnapshotChunks,
  sendTimeoutNow,
} from './replication.ts';
import { ackSentTick } from './lease.ts';

export function stepLeader(r: Raft, m: Message): Rejection | undefined {
  switch (m.type) {
    case 'prop':
      if (m.term !== r.term) return staleProposal(r, m.term);
      proposeForwarded(r, m.entries);
      return undefined;
    case 'readIndex':
      if (readPending(r, m.context)) {
        // The acknowledgements of the pending round could not be told from those of a new one.
        r.send({ type: 'readIndexResp', from: r.id, to: m.from, term: r.term, index: 0, context: m.context, reject: true });
        return undefined;
      }
      leaderReadIndex(r, m.from, m.context);
      return undefined;
    case 'transferLeader':
      transferLeadership(r, m.target);
      return undefined;
    case 'appResp':
    case 'heartbeatResp':
    case 'snapResp':
      return stepResponse(r, m);
    default:
      return undefined;
  }
}

function stepResponse(
  r: Raft,
  m: Extract<Message, { type: 'appResp' | 'heartbeatResp' | 'snapResp' }>,
): Rejection | undefined {
  const pr = r.trk.progress.get(m.from);
  if (pr === undefined) return { reason: 'nonMember', detail: `${m.from} is not in the configuration` };
  if (m.type === 'appResp' && m.index > r.log.lastIndex()) {
    return { reason: 'impossibleField', detail: `acknowledges ${m.index} beyond our last index` };
  }
  pr.recentActive = true;
  // An answer from a node that may have lost its state may come from one that forgot a higher
  // term: it steers replication, and counts toward no quorum (commit, reads, lease, CheckQuorum).
  if (m.type !== 'snapResp') pr.uncounted = !r.trk.counts(m.from, m.storeTag);
  const sentTick = r.cfg.readOnly === 'lease' && !pr.uncounted ? ackSentTick(r, m) : undefined;
  if (sentTick !== undefined && sentTick > pr.lastAckTick) pr.lastAckTick = sentTick;
  switch (m.type) {
    case 'appResp': {
      if (m.reject) {
        // A hint term means: skip every entry of ours whose term is above it.
        const hint = m.hintTerm > 0 ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm) : m.hintIndex;
        if (pr.maybeDecrTo(m.index, hint)) {
          if (pr.state === 'replicate') pr.becomeProbe();
          sendAppend(r, m.from, true);
        }
        return undefined;
      }
      const wasPaused = pr.isPaused();
      if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
        if (pr.state === 'probe') pr.becomeReplicate();
        else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
        else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
        if (r.maybeCommit()) r.afterCommit();
        else if (wasPaused) sendAppend(r, m.from, true);
        while (sendAppend(r, m.from, false)) {
          // Keep the pipeline full while the inflight window allows.
        }
        r.maybeFinishTransfer(m.from);
      }
      return undefined;
    }
    case 'heartbeatResp': {
      pr.msgAppFlowPaused = false;
      // Acknowledgements may have been lost; free a slot so the pipeline cannot stall.
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
      if (pr.state === 'snapshot') {
        // No snapshot progress during a whole heartbeat round: a chunk was lost.
        if (!pr.snapProgressed) rewindSnapshot(r, m.from, pr);
        pr.snapProgressed = false;
      } else if (pr.match < r.log.lastIndex()) {
        sendAppend(r, m.from, true);
      }
      if (m.context.length > 0 && !pr.uncounted) {
        const acks = r.readOnly.recvAck(m.from, m.context);
        if (acks !== undefined && r.trk.quorumOf(acks)) {
          for (const request of r.readOnly.advance(m.context)) respondRead(r, request);
        }
      }
      return undefined;
    }
    case 'snapResp': {
      if (pr.state !== 'snapshot' || m.index !== pr.pendingSnapshot) return undefined;
      if (m.done) {
        pr.maybeUpdate(m.index);
        pr.becomeProbe();
        sendAppend(r, m.from, true);
        return undefined;
      }
      // The receiver holds nothing of this snapshot (it lost the first chunk, or restarted).
      const resumeAt = m.reject ? 0 : m.offset;
      if (resumeAt > pr.snapAcked) {
        pr.snapAcked = resumeAt;
        pr.snapProgressed = true;
      } else if (
        resumeAt === pr.snapAcked ? resumeAt < pr.snapNext && pr.snapResentFrom !== resumeAt : m.reject
      ) {
        // A chunk after the resume point arrived without the one at it, which must be lost:
        // resend from there now. The chunks already in flight past the gap are answered with
        // the same offset; those answers do not resend again. If the resent chunk is lost too,
        // a heartbeat round without progress resends it. A refusal after confirmed progress
        // means the receiver lost what it had (a restart): start over. A lower offset that is
        // not a refusal is a late answer, already superseded.
        pr.snapAcked = resumeAt;
        rewindSnapshot(r, m.from, pr);
        return undefined;
      }
      sendSnapshotChunks(r, m.from, pr);
      return undefined;
    }
  }
}

function refuse(r: Raft, reason: Extract<ProposeOutcome, { ok: false }>['reason'], detail?: string): ProposeOutcome {
  return detail === undefined ? { ok: false, reason, leader: r.lead } : { ok: false, reason, leader: r.lead, detail };
}

/** Leader: append a user command. */
export function proposeNormal(r: Raft, data: Uint8Array): ProposeOutcome {
  if (r.leadTransferee !== '') return refuse(r, 'transferring');
  const index = r.appendEntry('normal', data);
  if (index === 0) return refuse(r, 'uncommittedLimit');
  r.appendPending = true;
  return { ok: true, index, term: r.term };
}

/** Leader: append a config entry carrying the configuration it produces. */
export function proposeConfChange(r: Raft, change: ConfChange): ProposeOutcome {
  if (r.leadTransferee !== '') return refuse(r, 'transferring');
  if (r.pendingConfIndex > r.log.applied) return refuse(r, 'confChangePending');
  const result = applyConfChange(r.trk.conf, change);
  if (!result.ok) return refuse(r, 'invalidConfChange', result.error);
  const forgetful = voterWithoutQuorum(r, result.conf);
  if (forgetful !== undefined) {
    return refuse(r, 'invalidConfChange', `the new configuration would depend on ${forgetful}, which lost its state: readmit it first`);
  }
  const index = r.appendEntry('config', encodeConfEntry(change, result.conf));
  if (index === 0) return refuse(r, 'uncommittedLimit');
  r.pendingConfIndex = index;
  bcastAppend(r);
  return { ok: true, index, term: r.term };
}

/**
 * A voter of `conf` that lost its state (its latest answer came from another store than the
 * one bound) whose vote the configuration would need: every half must keep a quorum of voters
 * that count without it, or no leader could be elected until it is readmitted — and readmitting
 * it takes a leader.
 */
function voterWithoutQuorum(r: Raft, conf: ConfState): NodeId | undefined {
  if (conf.stores === undefined) return undefined;
  for (const voters of [conf.voters, conf.votersOutgoing]) {
    const lost = voters.filter((id) => id !== r.id && r.trk.progress.get(id)?.uncounted === true);
    if (lost.length > 0 && (voters.length - lost.length) * 2 <= voters.length) return lost[0];
  }
  return undefined;
}

/** Entries a follower forwarded; refused ones are dropped (the proposer's driver times out). */
function proposeForwarded(r: Raft, entries: readonly Entry[]): void {
  for (const e of entries) {
    if (e.type === 'normal') proposeNormal(r, e.data);
    else if (e.type === 'config') {
      try {
        proposeConfChange(r, decodeConfEntry(e.data).change);
      } catch {
        // Undecodable config data from a follower: nothing to propose.
      }
    }
  }
}

export function transferLeadership(r: Raft, to: NodeId): void {
  if (to === r.id || !r.trk.conf.voters.includes(to) || r.leadTransferee === to) return;
  r.leadTransferee = to;
  // The transfer must finish within an election timeout (thesis §3.10).
  r.electionElapsed = 0;
  const pr = r.trk.progress.get(to);
  if (pr !== undefined && pr.match === r.log.lastIndex()) sendTimeoutNow(r, to);
  else sendAppend(r, to, true);
}

/** Leader: a joint configuration with autoLeave is left once its entry is applied. */
export function maybeAutoLeave(r: Raft): void {
  const conf = r.trk.conf;
  if (r.role !== 'leader' || !isJoint(conf) || !conf.autoLeave || r.pendingConfIndex > r.log.applied) return;
  if (r.leadTransferee !== '') return;
  proposeConfChange(r, { changes: [], transition: 'auto', context: new Uint8Array(0) });
}
