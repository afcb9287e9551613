// A 3-node cluster in one process: the README's quick start, run by the tests.
import { RaftNode, MemoryLogStore } from '@webraft/core';
import { createMemoryNetwork } from '@webraft/core/testing';
import type { StateMachine } from '@webraft/core';

type Command = { set: string; value: string };

class KeyValue implements StateMachine<Command, string | undefined> {
  data = new Map<string, string>();
  apply({ set, value }: Command) {
    const previous = this.data.get(set);
    this.data.set(set, value);
    return previous;
  }
  snapshot() {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }
  restore(bytes: Uint8Array) {
    this.data = new Map(JSON.parse(new TextDecoder().decode(bytes)));
  }
}

const network = createMemoryNetwork(); // or broadcastChannelTransport, webSocketTransport, ...
const ids = ['a', 'b', 'c'];
const nodes = await Promise.all(
  ids.map((id) =>
    RaftNode.create({ id, members: ids, stateMachine: new KeyValue(), log: new MemoryLogStore(), transport: network.transport(id) }),
  ),
);
await Promise.all(nodes.map((node) => node.start()));

await nodes[1]!.propose({ set: 'greeting', value: 'hello' }); // any node: followers forward
const value = await nodes[2]!.read((kv) => kv.data.get('greeting')); // linearizable
console.log(`greeting = ${value}, leader: ${nodes[0]!.leader}`);
await Promise.all(nodes.map((node) => node.stop())); // stops their timers: the program can end
