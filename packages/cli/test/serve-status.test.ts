import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RaftNodeStatus } from '@webraft/core';
import { startRelay } from '@webraft/transport-ws/relay';
import { queryStatus, serveStatus, type StatusSocketConstructor } from '../src/index.ts';

const Ws = WebSocket as unknown as StatusSocketConstructor;

function fakeNode(id: string, commit: number) {
  const status = { id, role: 'follower', state: 'running', term: 3, lead: 'x', commit, applied: commit - 1, lastIndex: commit, conf: { voters: [id], learners: [] } };
  return { id, status: () => status as unknown as RaftNodeStatus };
}

describe('serveStatus', () => {
  it('comes back by itself after the relay restarts, and stops answering once closed', async () => {
    let relay = await startRelay({ port: 0 });
    const port = relay.port;
    const publisher = serveStatus({ url: relay.url, room: 'r', node: fakeNode('a', 7), WebSocket: Ws, reconnectMs: 100 });
    try {
      const ask = () => queryStatus({ url: `ws://127.0.0.1:${port}/`, room: 'r', WebSocket: Ws, timeoutMs: 1000 });
      await expect.poll(async () => (await ask()).nodes.map((n) => n.commit), { timeout: 5000 }).toEqual([7]);
      const first = await ask();
      expect(first.nodes[0]).toMatchObject({ id: 'a', term: 3, leader: 'x', applied: 6, voters: ['a'] });

      await relay.close();
      relay = await startRelay({ port });
      await expect.poll(async () => (await ask()).nodes.map((n) => n.id), { timeout: 5000 }).toEqual(['a']);

      publisher.close();
      await expect.poll(async () => (await ask()).nodes, { timeout: 5000 }).toEqual([]);
      expect(publisher.answered).toBeGreaterThanOrEqual(3);
    } finally {
      publisher.close();
      await relay.close();
    }
  });

  it('needs a WebSocket', () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      expect(() => serveStatus({ url: 'ws://127.0.0.1:1', room: 'r', node: fakeNode('a', 1) })).toThrow(TypeError);
    } finally {
      if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
});
