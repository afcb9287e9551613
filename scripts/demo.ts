// A 3-node webraft cluster in one Node process (memory log stores, in-memory network, real
// timers): elect a leader, replicate a few key-value commands, stop the leader, watch the
// others elect a new one and keep committing, then bring the old leader back.
// Run: node --import tsx scripts/demo.ts
import { MemoryLogStore, RaftNode, createMemoryLogData, type StateMachine } from '../packages/core/src/index.ts';
import { createMemoryNetwork } from '../packages/core/src/testing/index.ts';

type Command = { op: 'put'; key: string; value: string } | { op: 'del'; key: string };

/** A key-value map; `apply` returns the previous value of the key. */
class KeyValueStore implements StateMachine<Command, string | null> {
  map = new Map<string, string>();
  apply(command: Command): string | null {
    const previous = this.map.get(command.key) ?? null;
    if (command.op === 'put') this.map.set(command.key, command.value);
    else this.map.delete(command.key);
    return previous;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.map]));
  }
  restore(data: Uint8Array): void {
    this.map = new Map(JSON.parse(new TextDecoder().decode(data)) as [string, string][]);
  }
}

type Node = RaftNode<KeyValueStore>;
const ids = ['alpha', 'bravo', 'charlie'];
const network = createMemoryNetwork();
const disks = new Map(ids.map((id) => [id, createMemoryLogData()]));
const nodes = new Map<string, Node>();
const started = performance.now();
const say = (text: string): void => console.log(`${((performance.now() - started) / 1000).toFixed(2).padStart(6)}s  ${text}`);

async function boot(id: string): Promise<Node> {
  const node = await RaftNode.create({
    id,
    members: ids,
    stateMachine: new KeyValueStore(),
    log: new MemoryLogStore({ data: disks.get(id)! }),
    transport: network.transport(id),
    tickMs: 50,
  });
  node.on('roleChanged', (e) => {
    if (e.role === 'leader') say(`${id} became leader of term ${e.term}`);
  });
  node.on('error', (e) => say(`${id} error: ${e.error.message}`));
  await node.start();
  nodes.set(id, node);
  return node;
}

function leaderOf(): Node | undefined {
  return [...nodes.values()].find((n) => n.isLeader);
}

async function waitForLeader(): Promise<Node> {
  for (;;) {
    const leader = leaderOf();
    if (leader !== undefined) return leader;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function put(via: Node, key: string, value: string): Promise<void> {
  const previous = await via.propose({ op: 'put', key, value }, { timeoutMs: 5000 });
  say(`  ${via.id}: put ${key}=${value} committed (previous: ${previous ?? 'none'})`);
}

function show(): void {
  for (const node of nodes.values()) {
    const { term, commit, applied, role } = node.status();
    const data = [...node.stateMachine.map].map(([k, v]) => `${k}=${v}`).join(' ');
    say(`  ${node.id.padEnd(8)} ${role.padEnd(9)} term ${term}  commit ${commit}  applied ${applied}  { ${data} }`);
  }
}

say(`starting ${ids.join(', ')} (tick 50 ms, election timeout 500–1000 ms)`);
for (const id of ids) await boot(id);
const first = await waitForLeader();

say('proposing through the leader and through a follower (followers forward to the leader):');
await put(first, 'colour', 'blue');
await put(first, 'shape', 'circle');
const follower = [...nodes.values()].find((n) => n !== first)!;
await put(follower, 'colour', 'green');
say(`linearizable read on ${follower.id}: colour = ${await follower.read((kv) => kv.map.get('colour'))}`);
show();

say(`stopping the leader ${first.id}`);
nodes.delete(first.id);
await first.stop();
const second = await waitForLeader();
say(`re-elected: ${second.id}; the cluster keeps committing with 2 of 3 nodes:`);
await put(second, 'size', 'large');
await put(second, 'colour', 'red');
show();

say(`restarting ${first.id} from its log store; it catches up as a follower`);
const back = await boot(first.id);
for (let i = 0; i < 100 && back.stateMachine.map.get('colour') !== 'red'; i++) await new Promise((r) => setTimeout(r, 20));
show();

const converged = [...nodes.values()].every((n) => JSON.stringify([...n.stateMachine.map]) === JSON.stringify([...second.stateMachine.map]));
say(converged ? 'all three state machines agree' : 'state machines differ');
for (const node of nodes.values()) await node.stop();
process.exit(converged ? 0 : 1);
