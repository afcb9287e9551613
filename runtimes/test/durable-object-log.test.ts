// `@webraft/log-durable-object` in workerd with its storage on disk: workerd is killed
// (SIGKILL) while writes stream in, and started again on the same directory. The log read back
// must hold whole writes, in order, and every write that was acknowledged before the kill. And
// a RaftNode voter on that store, killed with its cluster, comes back from the storage alone
// with every command it had applied.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleWorker, capnpText, serveWorkerd, type WorkerdProcess } from '../src/workerd-serve.ts';

let dir: string;
let workerd: WorkerdProcess | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webraft-do-log-'));
  await bundleWorker(fileURLToPath(new URL('../src/durable-object-log-worker.ts', import.meta.url)), join(dir, 'worker.js'));
  await bundleWorker(fileURLToPath(new URL('../src/durable-object-voter-worker.ts', import.meta.url)), join(dir, 'voter', 'worker.js'));
});
afterAll(async () => {
  await workerd?.kill();
  await rm(dir, { recursive: true, force: true });
});

const config = (disk: string): string => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "log", worker = .log), (name = "disk", disk = (path = ${capnpText(disk)}, writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "log") ],
);

const log :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "LOG", durableObjectNamespace = "LogWriter") ],
  durableObjectNamespaces = [ (className = "LogWriter", uniqueKey = "webraft-log-writer") ],
  durableObjectStorage = (localDisk = "disk"),
);
`;

it('keeps every acknowledged write, and whole writes only, when workerd is killed mid-stream', async () => {
  const disk = join(dir, 'storage');
  await import('node:fs/promises').then((fs) => fs.mkdir(disk));
  workerd = await serveWorkerd(dir, config(disk), ['http']);
  const response = await fetch(`http://127.0.0.1:${workerd.ports.get('http')}/write?batches=1000000`);
  const reader = response.body!.getReader();
  let acknowledged = 0;
  let text = '';
  while (acknowledged < 100) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended after ${acknowledged} writes:\n${workerd.output}`);
    text += new TextDecoder().decode(value);
    const lines = text.split('\n');
    text = lines.pop()!;
    for (const line of lines) {
      expect(Number(line)).toBe(acknowledged + 1);
      acknowledged++;
    }
  }
  await workerd.kill();
  await reader.cancel().catch(() => undefined);

  workerd = await serveWorkerd(dir, config(disk), ['http']);
  const { term, entries } = (await (await fetch(`http://127.0.0.1:${workerd.ports.get('http')}/load`)).json()) as { term: number; entries: [number, number][] };
  process.stderr.write(`durable object log: ${acknowledged} writes acknowledged before SIGKILL, ${term} found after restart\n`);
  expect(term).toBeGreaterThanOrEqual(acknowledged);
  // Killed in the middle: the writer had far to go.
  expect(term).toBeLessThan(1_000_000);
  expect(entries).toEqual(Array.from({ length: 2 * term }, (_, i) => [i + 1, Math.ceil((i + 1) / 2)]));
}, 30_000);

const voterConfig = (disk: string): string => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "voter", worker = .voter), (name = "disk", disk = (path = ${capnpText(disk)}, writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "voter") ],
);

const voter :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "VOTER", durableObjectNamespace = "VoterHost") ],
  durableObjectNamespaces = [ (className = "VoterHost", uniqueKey = "webraft-voter-host", enableSql = true) ],
  durableObjectStorage = (localDisk = "disk"),
);
`;

it('a RaftNode voter on Durable Object storage, killed with its cluster, comes back from its storage alone with every command it applied', async () => {
  const voterDir = join(dir, 'voter');
  const disk = join(voterDir, 'storage');
  await mkdir(disk, { recursive: true });
  const ask = async (path: string): Promise<{ store?: string; applied: number; total: number }> =>
    (await (await fetch(`http://127.0.0.1:${workerd!.ports.get('http')}${path}`)).json()) as { store?: string; applied: number; total: number };

  workerd = await serveWorkerd(voterDir, voterConfig(disk), ['http']);
  const before = await ask('/run?commands=40');
  expect(before).toMatchObject({ applied: 40, total: 820 });
  expect(before.store).toEqual(expect.any(String));
  await workerd.kill();

  workerd = await serveWorkerd(voterDir, voterConfig(disk), ['http']);
  expect(await ask('/restore?commands=40')).toEqual({ store: before.store, applied: 40, total: 820 });
}, 60_000);
