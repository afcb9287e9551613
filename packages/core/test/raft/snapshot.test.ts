import { describe, expect, it } from 'vitest';
import { Network } from './network.ts';
import type { Message, SnapshotMessage } from '../../src/raft/types.ts';

function laggingFollower(chunkBytes: number): Network {
  const net = new Network(['a', 'b', 'c'], { snapshotChunkBytes: chunkBytes });
  net.campaign('a');
  net.isolate('c');
  for (let i = 0; i < 20; i++) net.propose('a', `value-${i}`);
  net.snapshot('a');
  net.snapshot('b');
  return net;
}

describe('snapshots (§7)', () => {
  it('a follower behind the first index receives the snapshot in chunks and catches up', () => {
    const net = laggingFollower(16);
    net.heal();
    net.tickAll(5);
    const chunks = net.log.filter((m): m is SnapshotMessage => m.type === 'snap');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.data.byteLength <= 16)).toBe(true);
    expect(chunks.at(-1)?.done).toBe(true);
    expect(net.node('c').applied).toEqual(net.node('a').applied);
    expect(net.node('c').disk.snapshot?.meta.index).toBe(21);
    net.propose('a', 'after');
    expect(net.node('c').applied.at(-1)).toBe('after');
    expect(net.core('a').status().progress?.c?.state).toBe('replicate');
  });

  it('a chunk lost again when resent is resent after a heartbeat round; heartbeats continue meanwhile', () => {
    const net = laggingFollower(16);
    net.heal();
    let dropped = 0;
    net.filters.push((m) => {
      if (m.type === 'snap' && m.offset === 32 && dropped < 2) {
        dropped++;
        return false;
      }
      return true;
    });
    net.log = [];
    net.tickAll(1);
    expect(dropped).toBe(2);
    expect(net.core('a').status().progress?.c?.state).toBe('snapshot');
    net.tickAll(4);
    const toC = net.log.filter((m) => m.to === 'c');
    expect(toC.some((m) => m.type === 'heartbeat')).toBe(true);
    const resent = net.log.filter((m): m is SnapshotMessage => m.type === 'snap' && m.offset === 32);
    expect(resent.length).toBeGreaterThanOrEqual(1);
    // The chunks before the lost one were not resent from zero.
    expect(net.log.filter((m) => m.type === 'snap' && m.offset === 0)).toHaveLength(1);
    expect(net.node('c').applied).toEqual(net.node('a').applied);
  });

  it.each([
    ['a middle chunk', 32],
    ['the first chunk', 0],
  ])('%s lost: resent once, as soon as the receiver reports where it stands', (_, lostOffset) => {
    const net = laggingFollower(16);
    net.heal();
    let dropped = false;
    const sends = new Map<number, number>();
    net.filters.push((m) => {
      if (m.type !== 'snap') return true;
      sends.set(m.offset, (sends.get(m.offset) ?? 0) + 1);
      if (m.offset === lostOffset && !dropped) {
        dropped = true;
        return false;
      }
      return true;
    });
    // One heartbeat starts the transfer; the receiver's answers alone must finish it.
    net.tickAll(1);
    expect(dropped).toBe(true);
    expect(net.node('c').applied).toEqual(net.node('a').applied);
    expect(sends.get(lostOffset)).toBe(2);
    // Chunks the receiver accepted before the loss go once; those after it at most twice.
    for (const [offset, count] of sends) expect(count).toBeLessThanOrEqual(offset < lostOffset ? 1 : 2);
  });

  it('an empty snapshot is one chunk marked done', () => {
    const net = new Network(['a', 'b']);
    net.campaign('a');
    // Only no-op entries applied: the state machine image is empty.
    net.snapshot('a');
    net.add('c');
    net.core('a').proposeConfChange({ changes: [{ type: 'addLearner', id: 'c' }], transition: 'auto', context: new Uint8Array(0) });
    net.stabilize();
    net.tickAll(3);
    expect(net.node('c').appliedIndex).toBeGreaterThanOrEqual(1);
  });

  it('a snapshot arriving after restart of the receiver is rebuilt from offset 0', () => {
    const net = laggingFollower(16);
    net.heal();
    net.filters.push((m) => !(m.type === 'snap' && m.offset >= 48));
    net.tickAll(1);
    net.crash('c');
    net.restart('c');
    net.heal();
    net.tickAll(6);
    expect(net.node('c').applied).toEqual(net.node('a').applied);
  });

  it('a stale snapshot is answered with the follower commit index', () => {
    const net = laggingFollower(1024);
    const snap = net.node('a').disk.snapshot;
    if (snap === undefined) throw new Error('no snapshot');
    const msg: Message = { type: 'snap', from: 'a', to: 'b', term: 1, meta: snap.meta, offset: 0, data: snap.data, done: true, totalBytes: snap.data.byteLength };
    net.core('b').step(msg);
    const rd = net.core('b').ready();
    expect(rd.snapshot).toBeUndefined();
    const resp = [...rd.messages, ...rd.messagesAfterPersist].find((m) => m.type === 'appResp');
    expect(resp).toMatchObject({ type: 'appResp', index: 21, reject: false });
  });

  it('restart from a snapshot plus entries', () => {
    const net = laggingFollower(1024);
    net.propose('a', 'tail');
    net.crash('a');
    net.restart('a');
    const st = net.core('a').status();
    expect(st.firstIndex).toBe(22);
    expect(st.commit).toBe(22);
    expect(net.node('a').applied).toHaveLength(20);
    net.heal();
    net.tickAll(30);
    const leader = net.leader() as string;
    net.propose(leader, 'z');
    expect(net.node('c').applied).toEqual(net.node(leader).applied);
    expect(net.node('a').applied).toEqual(net.node(leader).applied);
  });
});
