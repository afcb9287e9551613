import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogStore, RaftNode, createMemoryLogData, type MemoryLogData, type StateMachine } from '@webraft/core';
import { exportLog, serializeLogExport } from '@webraft/core/log-export';
import { createMemoryNetwork } from '@webraft/core/testing';
import { runBin } from './run-bin.ts';

class Notes implements StateMachine<{ note: string }, number> {
  notes: string[] = [];
  apply(command: { note: string }) { return this.notes.push(command.note); }
  snapshot() { return new TextEncoder().encode(JSON.stringify(this.notes)); }
  restore(bytes: Uint8Array) { this.notes = JSON.parse(new TextDecoder().decode(bytes)); }
}

let dir: string;
let exportFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webraft-inspect-'));
  const network = createMemoryNetwork();
  const ids = ['a', 'b', 'c'];
  const disks = new Map<string, MemoryLogData>(ids.map((id) => [id, createMemoryLogData()]));
  const nodes = await Promise.all(ids.map((id) => RaftNode.create({
    id, members: ids, stateMachine: new Notes(), log: new MemoryLogStore({ data: disks.get(id)! }), transport: network.transport(id), tickMs: 10,
  })));
  await Promise.all(nodes.map((n) => n.start()));
  const leaderId = await nodes[0]!.waitForLeader();
  const leader = nodes.find((n) => n.id === leaderId)!;
  await nodes[1]!.propose({ note: 'first' });
  await leader.propose({ note: 'x'.repeat(300) });
  const session = await leader.openSession();
  await session.propose({ note: 'once' });
  await leader.addMember('d', { learner: true });
  await Promise.all(nodes.map((n) => n.stop()));
  exportFile = join(dir, 'a.json');
  await writeFile(exportFile, serializeLogExport(await exportLog(new MemoryLogStore({ data: disks.get(leaderId)! }))));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('webraft inspect', () => {
  it('prints the hard state, the snapshot and every entry decoded', async () => {
    const { code, stdout, stderr } = await runBin(['inspect', exportFile]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^hard state: term \d+, vote [abc], commit \d+$/m);
    expect(stdout).toMatch(/^snapshot: index 0, term 0, \d+ bytes$/m);
    expect(stdout).toMatch(/^ {2}voters a b c, learners \(none\)$/m);
    expect(stdout).toMatch(/^index\s+term\s+type\s+content$/m);
    // The first leader records the founders' configuration as its first entry.
    expect(stdout).toMatch(/^\s*1\s+\d+\s+config\s+\(configuration recorded: voters a b c, learners \(none\)\)$/m);
    expect(stdout).toMatch(/normal\s+\{"note":"first"\}$/m);
    expect(stdout).toMatch(/\{"note":"x{80,}…$/m);
    expect(stdout).toMatch(/normal\s+\(open client session\)$/m);
    expect(stdout).toMatch(/\{"note":"once"\} \[session \d+#1\]$/m);
    expect(stdout).toMatch(/config\s+auto: addLearner d$/m);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await runBin(['inspect', '--json', exportFile]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed.snapshot.meta.conf.voters).toEqual(['a', 'b', 'c']);
    expect(parsed.entries.map((e: { content: { kind: string } }) => e.content.kind)).toEqual(['config', 'commands', 'commands', 'register', 'commands', 'config']);
    expect(parsed.entries[0].content.configuration.voters).toEqual(['a', 'b', 'c']);
  });

  it('refuses a file that is not an export, and a missing file, with exit code 1', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ format: 'webraft-log-export', version: 9 }));
    const result = await runBin(['inspect', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^webraft: unsupported version 9$/m);
    const missing = await runBin(['inspect', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
  });

  it('answers a wrong command line with the usage and exit code 2', async () => {
    const result = await runBin(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
    expect(result.stderr).toMatch(/usage: webraft <command>/);
    expect((await runBin(['inspect'])).code).toBe(2);
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/status <relay-url> <room>/);
  });
});
