import { simulateApp } from '@webraft/sim';
import { withResult, type Reduced } from '@webraft/store';

type Accounts = Readonly<Record<string, number>>;
type Transfer = { readonly from: string; readonly to: string; readonly amount: number };
const names = ['ann', 'bob', 'cid'];

// The reducer you give createReplicatedStore. Its bug: it trusts the balance the sending tab saw.
function transfer(accounts: Accounts, { from, to, amount }: Transfer): Reduced<Accounts, boolean> {
  return withResult({ ...accounts, [from]: accounts[from]! - amount, [to]: accounts[to]! + amount }, true);
}

const result = await simulateApp({
  initialState: { ann: 10, bob: 10, cid: 10 } as Accounts,
  apply: transfer,
  // A tab sends what its own replica shows is affordable; that replica may be behind.
  commands: (random, accounts): Transfer => {
    const from = random.pick(names);
    const to = random.pick(names.filter((name) => name !== from));
    return { from, to, amount: random.int(0, accounts[from]!) };
  },
  invariant: (replicas) => {
    const overdrawn = replicas.find(({ state }) => Object.values(state).some((balance) => balance < 0));
    const total = replicas.find(({ state }) => Object.values(state).reduce((a, b) => a + b) !== 30);
    return overdrawn ? `${overdrawn.node} overdraws: ${JSON.stringify(overdrawn.state)}` : total && `${total.node} lost money`;
  },
  seeds: 50,
});
// On failure: the seed, the step, each replica's state, the replay call and a trace.
console.log(result.report);
