// A Worker whose Durable Object (`VoterHost`) runs a RaftNode cluster, two tabs with memory
// logs and a voter whose log is `@webraft/log-durable-object` on the object's storage, for
// test/durable-object-log.test.ts:
//   GET /run?commands=N      proposes N commands (1, 2, ... N) and answers once the voter applied
//                            them all: {store, applied, total}. The nodes keep running until
//                            the process dies.
//   GET /restore?commands=N  the voter alone, created again from the storage: its store identity
//                            before it starts, then what it applied once started (up to its
//                            durable commit; it waits up to 10 s for N): {store, applied, total}
import { MemoryLogStore, RaftNode, type NodeId } from '../../packages/core/src/index.ts';
import { createMemoryNetwork } from '../../packages/core/src/testing/index.ts';
import { durableObjectLogStore, type DurableObjectStorageLike } from '../../packages/log-durable-object/src/index.ts';
import { Counter, nodeOptions, proposeThroughLeader, tabs, voter } from '../../packages/log-durable-object/test/durable-voter.ts';

interface Env {
  readonly VOTER: { idFromName(name: string): unknown; get(id: unknown): { fetch(request: Request): Promise<Response> } };
}

interface VoterReport {
  readonly store: string | undefined;
  readonly applied: number;
  readonly total: number;
}

export class VoterHost {
  /** The running nodes, kept here so they live as long as the object. */
  readonly #nodes: RaftNode<Counter>[] = [];

  constructor(private readonly state: { readonly storage: DurableObjectStorageLike }) {}

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const commands = Number(url.searchParams.get('commands'));
    return Response.json(url.pathname === '/run' ? await this.#run(commands) : await this.#restore(commands));
  }

  async #run(commands: number): Promise<VoterReport> {
    const network = createMemoryNetwork();
    const create = (id: NodeId, log: MemoryLogStore | ReturnType<typeof durableObjectLogStore>): Promise<RaftNode<Counter>> =>
      RaftNode.create({ ...nodeOptions, id, stateMachine: new Counter(), log, transport: network.transport(id) });
    for (const id of tabs) this.#nodes.push(await create(id, new MemoryLogStore()));
    const node = await create(voter, durableObjectLogStore(this.state.storage, { prefix: 'voter:' }));
    this.#nodes.push(node);
    for (const each of this.#nodes) await each.start();
    for (let i = 1; i <= commands; i++) await proposeThroughLeader(this.#nodes, i);
    await until(() => node.stateMachine.applied === commands);
    return { store: node.status().store, applied: node.stateMachine.applied, total: node.stateMachine.total };
  }

  async #restore(commands: number): Promise<VoterReport> {
    const node = await RaftNode.create({
      ...nodeOptions,
      id: voter,
      stateMachine: new Counter(),
      log: durableObjectLogStore(this.state.storage, { prefix: 'voter:' }),
      transport: createMemoryNetwork().transport(voter),
    });
    const store = node.status().store;
    await node.start();
    await until(() => node.stateMachine.applied >= commands);
    const report = { store, applied: node.stateMachine.applied, total: node.stateMachine.total };
    await node.stop();
    return report;
  }
}

/** Waits (up to 10 s) for `condition`; the caller reports what it finds either way. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition() && waited < 10_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
}

export default {
  fetch: (request: Request, env: Env): Promise<Response> => env.VOTER.get(env.VOTER.idFromName('voter')).fetch(request),
};
