// Transfers under partitions and message loss: money is conserved, every replica ends with
// the same balances, and no transfer applies twice although clients retry after timeouts.
import { MemoryLogStore, NotLeaderError, ProposalDroppedError, TimeoutError } from '@webraft/core';
import type { ClientSession, NodeId } from '@webraft/core';
import { createMemoryNetwork, seededRandom } from '@webraft/core/testing';
import { createReplicatedStore } from '@webraft/store';
import type { ReplicatedStore } from '@webraft/store';
import { afterAll, describe, expect, it } from 'vitest';
import { applyBank, emptyBank, totalBalance } from './bank.ts';
import type { Bank, BankCommand, BankResult } from './bank.ts';

type BankStore = ReplicatedStore<Bank, BankCommand, BankResult>;

const ids: NodeId[] = ['n1', 'n2', 'n3', 'n4', 'n5'];
const accounts = ['alice', 'bob', 'carol', 'dave'];
const deposit = 1000;
const stores: BankStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.stop()));
});

const retryable = (error: unknown) =>
  error instanceof TimeoutError || error instanceof NotLeaderError || error instanceof ProposalDroppedError;

describe('bank under partitions', () => {
  it('conserves money and applies each transfer once', async () => {
    const random = seededRandom(7);
    const network = createMemoryNetwork({ random, delayMs: { min: 0, max: 3 } });
    for (const id of ids) {
      stores.push(
        await createReplicatedStore({
          id,
          members: ids,
          log: new MemoryLogStore(),
          transport: network.transport(id),
          tickMs: 5,
          requestTimeoutMs: 400,
          snapshotEvery: 50,
          initialState: emptyBank,
          apply: applyBank,
        }),
      );
    }
    await stores[0]!.node.waitForLeader({ timeoutMs: 5000 });
    for (const account of accounts) await stores[0]!.dispatch({ type: 'open', account, deposit });

    // Faults: message loss all along, and a new partition every 150 ms.
    network.setDropRate(0.05);
    let faults = true;
    const nemesis = (async () => {
      while (faults) {
        const shuffled = [...ids].sort(() => random() - 0.5);
        const cut = 1 + Math.floor(random() * 2);
        network.healAll();
        network.partition(shuffled.slice(0, cut), shuffled.slice(cut));
        await new Promise((r) => setTimeout(r, 150));
      }
      network.healAll();
      network.setDropRate(0);
    })();

    const acknowledged: string[] = [];
    const client = async (name: string) => {
      // A registration forwarded to a leader that is then cut off settles only by its timeout:
      // try again, on any node, as a real client would.
      let session: ClientSession | undefined;
      for (let attempt = 0; attempt < 20 && !session; attempt++) {
        session = await stores[Math.floor(random() * ids.length)]!.node.openSession({ timeoutMs: 1000 }).catch(() => undefined);
      }
      if (!session) return;
      for (let n = 0; n < 15; n++) {
        const from = accounts[Math.floor(random() * accounts.length)]!;
        const to = accounts.find((a) => a !== from && random() < 0.5) ?? accounts.find((a) => a !== from)!;
        const command: BankCommand = { type: 'transfer', id: `${name}-${n}`, from, to, amount: 1 + Math.floor(random() * 300) };
        const seq = n + 1;
        // Retry the same request (same session sequence number) on any node until it lands.
        for (let attempt = 0; attempt < 40; attempt++) {
          const store = stores[Math.floor(random() * stores.length)]!;
          try {
            const result = await store.node.propose(command, { session: { clientId: session.clientId, seq }, timeoutMs: 300 });
            if (result?.ok) acknowledged.push(command.id);
            break;
          } catch (error) {
            if (!retryable(error)) throw error;
          }
        }
      }
    };
    await Promise.all(['c1', 'c2', 'c3', 'c4'].map(client));
    faults = false;
    await nemesis;

    const finalStates = await Promise.all(stores.map((s) => s.read({ timeoutMs: 10_000 })));
    const reference = finalStates[0]!;
    for (const state of finalStates) expect(state).toEqual(reference);
    expect(totalBalance(reference)).toBe(deposit * accounts.length);
    expect(new Set(reference.applied).size).toBe(reference.applied.length);
    for (const id of acknowledged) expect(reference.applied).toContain(id);
    for (const balance of Object.values(reference.balances)) expect(balance).toBeGreaterThanOrEqual(0);
    expect(acknowledged.length).toBeGreaterThan(10);
  });
});
