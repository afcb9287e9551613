// Starts a relay in this process and one child process per node; the children stop when this
// process goes away (their stdin closes).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRelay, type Relay } from '@webraft/transport-ws/relay';

const nodeScript = fileURLToPath(new URL('./node.ts', import.meta.url));

export interface ClusterOptions {
  readonly ids?: readonly string[];
  readonly room?: string;
  /** @default 0 (a free port) */
  readonly relayPort?: number;
  /** Node i listens on httpPort + i; @default 0 (free ports) */
  readonly httpPort?: number;
  /** Each node keeps its log in `<dataDir>/<id>` (durable across kills). @default in memory */
  readonly dataDir?: string;
  /** Each node writes its log export here (`<id>.json`) when stopped gracefully. */
  readonly exportDir?: string;
  /** Child stderr lines (leader changes) go here. @default dropped */
  readonly log?: (line: string) => void;
}

export interface RunningNode {
  readonly id: string;
  readonly url: string;
  readonly process: ChildProcess;
}

export interface Cluster {
  readonly relay: Relay;
  readonly room: string;
  /** The current process of each node (a restart replaces it). */
  readonly nodes: ReadonlyMap<string, RunningNode>;
  /** SIGKILL: the process dies without a word, as in a crash. */
  kill(id: string): Promise<void>;
  /** Starts the node's process again, on the same log directory; resolves once it serves HTTP. */
  restart(id: string): Promise<RunningNode>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const ids = options.ids ?? ['n1', 'n2', 'n3'];
  const room = options.room ?? 'kv';
  const relay = await startRelay({ port: options.relayPort ?? 0 });
  const nodes = new Map<string, RunningNode>();
  const launch = async (id: string): Promise<RunningNode> => {
    const i = ids.indexOf(id);
    const port = options.httpPort ? options.httpPort + i : 0;
    const child = spawn(process.execPath, [
      '--conditions=source', '--import', 'tsx', nodeScript,
      '--id', id, '--members', ids.join(','), '--relay', relay.url, '--room', room, '--port', String(port),
      ...(options.dataDir === undefined ? [] : ['--data-dir', join(options.dataDir, id)]),
      ...(options.exportDir === undefined ? [] : ['--export-dir', options.exportDir]),
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) if (line !== '') options.log?.(line);
    });
    nodes.set(id, { id, url: '', process: child });
    const node = { id, url: await announcedUrl(child, id), process: child };
    nodes.set(id, node);
    return node;
  };
  try {
    await Promise.all(ids.map(launch));
  } catch (error) {
    for (const node of nodes.values()) node.process.kill('SIGKILL');
    await relay.close();
    throw error;
  }
  const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;
  const kill = async (id: string): Promise<void> => {
    const child = nodes.get(id)?.process;
    if (child === undefined || exited(child)) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  const restart = async (id: string): Promise<RunningNode> => {
    const child = nodes.get(id)?.process;
    if (child !== undefined && !exited(child)) throw new Error(`node ${id} is still running`);
    try {
      return await launch(id);
    } catch (error) {
      nodes.get(id)?.process.kill('SIGKILL');
      throw error;
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all([...nodes.values()].map(async ({ process: child }) => {
      if (exited(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await once(child, 'exit');
      clearTimeout(timer);
    }));
    await relay.close();
  };
  return { relay, room, nodes, kill, restart, stop: () => (stopping ??= stop()) };
}

/** Waits for the child's "<id> http://..." line. */
function announcedUrl(child: ChildProcess, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node ${id} did not start within 20 s`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const match = new RegExp(`^${id} (http://\\S+)$`, 'm').exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${id} exited with ${code} before listening`));
    });
  });
}
