import { withResult } from '@webraft/store';
import { describe, expect, it } from 'vitest';
import { simulateApp, type Random, type Replica } from '../src/index.ts';

/** Payments into one account; each payment carries an id the tab made for it. */
interface Account {
  readonly balance: number;
  readonly paid: readonly number[];
}
interface Payment {
  readonly id: number;
  readonly amount: number;
}

const empty: Account = { balance: 0, paid: [] };

/** Applies whatever reaches it: a payment sent twice is paid twice. */
const naive = (account: Account, p: Payment) => withResult({ balance: account.balance + p.amount, paid: [...account.paid, p.id] }, account.balance + p.amount);

/** Knows its payments: a second copy of one changes nothing. */
const idempotent = (account: Account, p: Payment) => (account.paid.includes(p.id) ? withResult(account, account.balance) : naive(account, p));

const payments = (random: Random): Payment => ({ id: random.nextUint32(), amount: random.int(1, 9) });

function paidOnce(replicas: readonly Replica<Account>[]): string | undefined {
  for (const { node, state } of replicas) {
    const twice = state.paid.find((id, i) => state.paid.indexOf(id) !== i);
    if (twice !== undefined) return `${node} took payment ${twice} twice`;
  }
  return undefined;
}

const options = { initialState: empty, commands: payments, invariant: paidOnce, seeds: 30 };

describe('simulateApp: a tab that retries', () => {
  it('catches a payment paid twice when a timed-out command is sent again as a new proposal', async () => {
    const result = await simulateApp({ ...options, apply: naive, retry: 'plain' });
    expect(result.failure?.property, result.report).toBe('App Invariant');
    expect(result.failure?.detail).toMatch(/^n\d took payment \d+ twice$/);
    // The trace shows the second try applied.
    expect(result.report).toMatch(/applies d\d+\.2 at \d+/);
    const again = await simulateApp({ ...options, apply: naive, retry: 'plain', seeds: [result.failure!.seed] });
    expect(again.failure).toMatchObject({ property: 'App Invariant', detail: result.failure!.detail, step: result.failure!.step });
  }, 120_000);

  it('passes the same reducer when the retries go through exactly-once sessions', async () => {
    // 60 seeds: retrying with a new sequence number in the session is caught at seed 56 (At Most Once).
    const result = await simulateApp({ ...options, apply: naive, retry: 'session', seeds: 60 });
    expect(result.ok, result.report).toBe(true);
    expect(result.outcomes.retries).toBeGreaterThan(0);
    expect(result.report).toMatch(/\(after \d+ retries\)$/);
  }, 120_000);

  it('passes plain retries when the reducer itself ignores a payment it has seen', async () => {
    const result = await simulateApp({ ...options, apply: idempotent, retry: 'plain' });
    expect(result.ok, result.report).toBe(true);
    expect(result.outcomes.retries).toBeGreaterThan(0);
  }, 120_000);

  it('gives up after the first try by default', async () => {
    const result = await simulateApp({ ...options, apply: naive });
    expect(result.ok, result.report).toBe(true);
    expect(result.outcomes.retries).toBe(0);
  }, 120_000);
});

describe('simulateApp: checkResult', () => {
  const withdrawals = (random: Random, balance: number) => (random.chance(0.5) || balance === 0 ? random.int(1, 5) : -random.int(1, balance));
  /** Trusts the tab that saw enough money: a replica behind lets two withdrawals through. */
  const overdraws = (balance: number, change: number) => withResult(balance + change, balance + change);
  const guarded = (balance: number, change: number) => (balance + change < 0 ? withResult(balance, balance) : overdraws(balance, change));
  const neverNegative = (_change: number, result: unknown) => (typeof result === 'number' && result < 0 ? 'a negative balance' : undefined);

  it('reports a wrong answer with the command and the result', async () => {
    const result = await simulateApp({ initialState: 0, apply: overdraws, commands: withdrawals, checkResult: neverNegative, seeds: 30 });
    expect(result.failure?.property, result.report).toBe('App Result');
    expect(result.failure?.detail).toMatch(/^d\d+ -\d+ answered -\d+: a negative balance$/);
  }, 120_000);

  it('passes when every answer is right', async () => {
    const result = await simulateApp({ initialState: 0, apply: guarded, commands: withdrawals, checkResult: neverNegative, seeds: 10 });
    expect(result.ok, result.report).toBe(true);
  }, 120_000);
});
