/**
 * The Durable Object relay served by workerd (`runtimes/src/workerd-serve.ts`): the Worker of
 * `relay-worker.ts`, one `RelayRoom` object per room, in-memory storage, on a port workerd
 * picks on 127.0.0.1. Options go in as the environment variables of the relay's README.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, capnpText, serveWorkerd, type WorkerdProcess } from '../../../../runtimes/src/workerd-serve.ts';
import type { RoomObjectStats, WorkerRelayStats } from '../../src/durable-object/index.ts';

export const adminToken = 'admin-token';

let bundled: Promise<string> | undefined;

/** The Worker's bundle, built once per test process. */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'webraft-do-relay-bundle-'));
    const file = join(dir, 'worker.js');
    await bundleWorker(fileURLToPath(new URL('./relay-worker.ts', import.meta.url)), file);
    process.once('exit', () => void rm(dir, { recursive: true, force: true }));
    return file;
  })();
  return bundled;
}

export interface WorkerdRelay {
  /** `ws://127.0.0.1:port/` */
  readonly url: string;
  readonly process: WorkerdProcess;
  /** The counters of `room`'s object (since it last woke) and its members. */
  roomStats(room: string): Promise<RoomObjectStats>;
  /** The Worker's own counters: the connections it refused before any room. */
  workerStats(): Promise<WorkerRelayStats>;
  stop(): Promise<void>;
}

/** Serves the relay with `env` (WEBRAFT_RELAY_* variables; the admin token is set here). */
export async function startWorkerdRelay(env: Readonly<Record<string, string>> = {}): Promise<WorkerdRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'webraft-do-relay-'));
  await copyFile(await bundle(), join(dir, 'worker.js'));
  const bindings = Object.entries({ WEBRAFT_RELAY_ADMIN_TOKEN: adminToken, ...env }).map(([name, value]) => `(name = ${capnpText(name)}, text = ${capnpText(value)})`);
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "relay", worker = .relay) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "relay") ],
);

const relay :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "RELAY_ROOM", durableObjectNamespace = "RelayRoom"), ${bindings.join(', ')} ],
  durableObjectNamespaces = [ (className = "RelayRoom", uniqueKey = "webraft-relay-room") ],
  durableObjectStorage = (inMemory = void),
);
`;
  let workerd: WorkerdProcess;
  try {
    workerd = await serveWorkerd(dir, config, ['http']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const base = `http://127.0.0.1:${workerd.ports.get('http')}`;
  const admin = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}/admin/${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (!response.ok) throw new Error(`admin ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url: `ws://127.0.0.1:${workerd.ports.get('http')}/`,
    process: workerd,
    roomStats: (room) => admin(`rooms/${encodeURIComponent(room)}`),
    workerStats: () => admin('stats'),
    async stop() {
      await workerd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
