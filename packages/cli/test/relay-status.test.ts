import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryLogStore, RaftNode, type StateMachine } from '@webraft/core';
import { webSocketTransport, type WebSocketConstructor } from '@webraft/transport-ws';
import { startRelay, type Relay } from '@webraft/transport-ws/relay';
import { serveStatus, type StatusPublisher, type StatusSocketConstructor } from '../src/index.ts';
import { runBin, startBin } from './run-bin.ts';

class Counter implements StateMachine<number, number> {
  total = 0;
  apply(n: number) { return (this.total += n); }
  snapshot() { return new TextEncoder().encode(String(this.total)); }
  restore(bytes: Uint8Array) { this.total = Number(new TextDecoder().decode(bytes)); }
}

let relay: Relay;
const nodes: RaftNode<Counter>[] = [];
const publishers: StatusPublisher[] = [];

beforeAll(async () => {
  relay = await startRelay({ port: 0 });
  const ids = ['n1', 'n2', 'n3'];
  for (const id of ids) {
    const transport = webSocketTransport({ url: relay.url, room: 'status-test', nodeId: id, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const node = await RaftNode.create({ id, members: ids, stateMachine: new Counter(), log: new MemoryLogStore(), transport });
    nodes.push(node);
    publishers.push(serveStatus({ url: relay.url, room: 'status-test', node, WebSocket: WebSocket as unknown as StatusSocketConstructor }));
  }
  await Promise.all(nodes.map((n) => n.start()));
  await nodes[0]!.waitForLeader({ timeoutMs: 10_000 });
  for (let i = 1; i <= 5; i++) await nodes[i % 3]!.propose(i);
});

afterAll(async () => {
  for (const p of publishers) p.close();
  await Promise.all(nodes.map((n) => n.stop()));
  await relay?.close();
});

describe('webraft status', () => {
  it("reports every node's role, term, commit, applied and lag", async () => {
    const { code, stdout, stderr } = await runBin(['status', relay.url, 'status-test', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status.silent).toEqual([]);
    expect(status.nodes.map((n: { id: string }) => n.id)).toEqual(['n1', 'n2', 'n3']);
    const leaders = status.nodes.filter((n: { role: string }) => n.role === 'leader');
    expect(leaders).toHaveLength(1);
    const live = nodes.map((n) => n.status());
    for (const report of status.nodes) {
      const node = live.find((s) => s.id === report.id)!;
      expect(report.term).toBe(node.term);
      expect(report.leader).toBe(leaders[0].id);
      expect(report.commit).toBeGreaterThanOrEqual(6);
      expect(report.applied).toBeGreaterThanOrEqual(6);
      expect(report.lag).toBe(Math.max(...status.nodes.map((n: { commit: number }) => n.commit)) - report.applied);
    }
    expect(Object.keys(leaders[0].match).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(publishers.reduce((sum, p) => sum + p.answered, 0)).toBe(3);
  });

  it('prints a table, and names the nodes that do not answer', async () => {
    const text = await runBin(['status', relay.url, 'status-test']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^node\s+role\s+term\s+leader\s+commit\s+applied\s+lag\s+last$/m);
    expect(text.stdout.match(/^n[123]\s+(leader|follower)\s+\d+\s+n[123]\s+\d+\s+\d+\s+0\s+\d+$/gm)).toHaveLength(3);

    // A member of the status room that never answers, and sends the publishers garbage.
    const mute = new WebSocket(`${relay.url}?room=${encodeURIComponent('webraft-status:status-test')}&node=mute`);
    await once(mute, 'open');
    try {
      const garbage = (payload: string) => Buffer.concat([Buffer.from([1, 2]), Buffer.from('n1'), Buffer.from(payload)]);
      for (const payload of ['{', '"x"', '{"type":"statusRequest","id":"1"}', '\u00ff\u00fe']) mute.send(garbage(payload));
      mute.send(Buffer.from([1, 60, 1])); // a peer id longer than the frame
      const result = await runBin(['status', relay.url, 'status-test', '--timeout-ms', '1500']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^mute: no answer$/m);
      expect(result.stdout.match(/^n[123] /gm)).toHaveLength(3);
    } finally {
      mute.close();
    }
  });

  it('says so when nobody publishes, and fails on an unreachable relay', async () => {
    const empty = await runBin(['status', relay.url, 'nobody-here']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/no node publishes status in this room/);
    const down = await runBin(['status', 'ws://127.0.0.1:1', 'x', '--timeout-ms', '1000']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^webraft: the relay at ws:\/\/127\.0\.0\.1:1 refused or closed the connection$/m);
    expect((await runBin(['status', relay.url, 'x', '--timeout-ms', 'soon'])).code).toBe(2);
  });
});

describe('webraft relay', () => {
  it('runs the transport-ws relay with its flags until SIGTERM', async () => {
    const child = startBin(['relay', '--port', '0', '--admin']);
    const exited = once(child, 'exit');
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (d) => {
          stderr += d;
          const match = /listening on (ws:\/\/\S+) \(admin API on\)/.exec(stderr);
          if (match) resolve(match[1]!);
        });
        child.on('exit', () => reject(new Error(`relay exited: ${stderr}`)));
      });
      const http = url.replace('ws://', 'http://');
      expect((await (await fetch(new URL('/healthz', http))).text()).trim()).toBe('ok');
      expect((await (await fetch(new URL('/admin/stats', http))).json()).connections).toBeDefined();
    } finally {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const [code] = await exited;
    clearTimeout(timer);
    expect(code).toBe(0);
  });

  it('refuses a bad relay flag', async () => {
    const result = await runBin(['relay', '--port', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--port must be a non-negative integer/);
  });
});
