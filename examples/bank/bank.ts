// Accounts and transfers replicated by Raft. The reducer is the whole bank: it runs on every
// replica, in log order, so every replica holds the same balances.
import { withResult } from '@webraft/store';
import type { Reduced } from '@webraft/store';

export interface Bank {
  readonly balances: Readonly<Record<string, number>>;
  /** Ids of the transfers applied, in order: lets a test prove none applied twice. */
  readonly applied: readonly string[];
}

export type BankCommand =
  | { readonly type: 'open'; readonly account: string; readonly deposit: number }
  | { readonly type: 'transfer'; readonly id: string; readonly from: string; readonly to: string; readonly amount: number };

export type BankResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'unknownAccount' | 'insufficientFunds' | 'invalidAmount' | 'exists' };

export const emptyBank: Bank = { balances: {}, applied: [] };

export function applyBank(bank: Bank, command: BankCommand): Reduced<Bank, BankResult> {
  if (command.type === 'open') {
    if (command.account in bank.balances) return withResult(bank, { ok: false, reason: 'exists' });
    if (!Number.isSafeInteger(command.deposit) || command.deposit < 0) return withResult(bank, { ok: false, reason: 'invalidAmount' });
    return withResult({ ...bank, balances: { ...bank.balances, [command.account]: command.deposit } }, { ok: true });
  }
  const { from, to, amount } = command;
  if (!(from in bank.balances) || !(to in bank.balances)) return withResult(bank, { ok: false, reason: 'unknownAccount' });
  if (!Number.isSafeInteger(amount) || amount <= 0) return withResult(bank, { ok: false, reason: 'invalidAmount' });
  if ((bank.balances[from] ?? 0) < amount) return withResult(bank, { ok: false, reason: 'insufficientFunds' });
  const balances = { ...bank.balances, [from]: bank.balances[from]! - amount, [to]: bank.balances[to]! + amount };
  return withResult({ balances, applied: [...bank.applied, command.id] }, { ok: true });
}

export function totalBalance(bank: Bank): number {
  return Object.values(bank.balances).reduce((sum, balance) => sum + balance, 0);
}
