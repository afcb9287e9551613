import type { StateMachine } from '@webraft/core';
import { withResult } from '@webraft/store';
import { describe, expect, it } from 'vitest';
import { AppCommandsError, simulateApp, SimulateAppOptionsError, type Random, type Replica } from '../src/index.ts';

/** Accounts that withdrawals may not overdraw. */
type Accounts = Readonly<Record<string, number>>;
type Transfer = { readonly kind: 'deposit'; readonly to: string; readonly amount: number } | { readonly kind: 'withdraw'; readonly from: string; readonly amount: number };

const names = ['ann', 'bob', 'cid'];

/** The reducer checks the balance itself: whatever a tab saw, no account goes below zero. */
function checked(accounts: Accounts, t: Transfer): Accounts {
  if (t.kind === 'deposit') return { ...accounts, [t.to]: (accounts[t.to] ?? 0) + t.amount };
  const balance = accounts[t.from] ?? 0;
  return t.amount > balance ? accounts : { ...accounts, [t.from]: balance - t.amount };
}

/** The planted bug: the check happens only in the tab (commands() below), on what the tab saw. */
function trusting(accounts: Accounts, t: Transfer): Accounts {
  if (t.kind === 'deposit') return checked(accounts, t);
  return { ...accounts, [t.from]: (accounts[t.from] ?? 0) - t.amount };
}

/** A tab withdraws only what its own replica shows; that replica may be behind. */
function transfers(random: Random, accounts: Accounts): Transfer {
  const name = random.pick(names);
  const balance = accounts[name] ?? 0;
  if (balance === 0 || random.chance(0.4)) return { kind: 'deposit', to: name, amount: random.int(1, 5) };
  return { kind: 'withdraw', from: name, amount: random.int(1, balance) };
}

function noOverdraft(replicas: readonly Replica<Accounts>[]): string | undefined {
  for (const { node, state } of replicas) {
    const overdrawn = Object.entries(state).find(([, balance]) => balance < 0);
    if (overdrawn !== undefined) return `${node}: ${overdrawn[0]} is overdrawn (${overdrawn[1]})`;
  }
  return undefined;
}

describe('simulateApp: an application reducer on real RaftNodes under faults', () => {
  it('passes a reducer that keeps its own rule, with commands applied, refused and lost along the way', async () => {
    const result = await simulateApp({ initialState: {} as Accounts, apply: checked, commands: transfers, invariant: noOverdraft, seeds: 15 });
    expect(result.ok, result.report).toBe(true);
    expect(result.seeds).toHaveLength(15);
    expect(result.outcomes.ok).toBeGreaterThan(15 * 60);
    // Faults did something: some commands were refused by a node or lost their answer.
    expect(result.outcomes.refused + result.outcomes.unknown).toBeGreaterThan(0);
    expect(result.report).toMatch(/^ok: 15 seeds, 100 commands each: \d+ applied/);
  }, 120_000);

  it('catches a reducer that trusts the tab that sent the command, and the failing seed replays the same way', async () => {
    const options = { initialState: {} as Accounts, apply: trusting, commands: transfers, invariant: noOverdraft, seeds: 40 };
    const result = await simulateApp(options);
    expect(result.ok).toBe(false);
    const failure = result.failure!;
    expect(failure.property).toBe('App Invariant');
    expect(failure.detail).toMatch(/is overdrawn \(-\d+\)/);
    expect(result.seeds.at(-1)).toBe(failure.seed);
    expect(failure.replay).toBe(`simulateApp({ ...options, seeds: [${failure.seed}] })`);
    expect(result.report).toContain(`FAIL seed ${failure.seed}`);
    expect(result.report).toMatch(/dispatches d\d+ \{"kind":"withdraw"/);
    expect(failure.replicas.length).toBeGreaterThanOrEqual(3);

    const again = await simulateApp({ ...options, seeds: [failure.seed] });
    expect(again.failure).toMatchObject({ seed: failure.seed, property: failure.property, detail: failure.detail, step: failure.step, time: failure.time });
  }, 120_000);

  it('catches a reducer whose replicas disagree (it reads Math.random)', async () => {
    const stamped = (accounts: Accounts, t: Transfer): Accounts => ({ ...checked(accounts, t), last: Math.random() });
    const result = await simulateApp({ initialState: {} as Accounts, apply: stamped, commands: transfers, seeds: 3 });
    expect(result.failure?.property).toBe('Replica Agreement');
    expect(result.failure?.detail).toMatch(/^n\d applied d\d+ and holds \{.*"last":0\.\d+.*\}, but n\d held/);
  }, 60_000);

  it("runs a reducer written for @webraft/store, withResult and all, and gives each replica its own initial state", async () => {
    const initial = { count: 0, seen: [] as number[] };
    const result = await simulateApp({
      initialState: initial,
      // Mutates its state in place: harmless only because each replica has a copy of its own.
      apply: (state, add: number) => {
        state.seen.push(add);
        return withResult({ count: state.count + add, seen: state.seen }, state.count + add);
      },
      commands: (random) => random.int(1, 3),
      invariant: (replicas) => replicas.find((r) => r.state.count !== r.state.seen.reduce((a, b) => a + b, 0))?.node,
      seeds: 5,
    });
    expect(result.ok, result.report).toBe(true);
    expect(initial.seen).toEqual([]);
  }, 60_000);
});

/** A counter that also keeps every addition; the planted bug leaves the additions out of its snapshot. */
class Tally implements StateMachine<number, number> {
  total = 0;
  parts: number[] = [];
  constructor(private readonly snapshotsParts: boolean) {}
  apply(add: number): number {
    this.total += add;
    this.parts.push(add);
    return this.total;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ total: this.total, parts: this.snapshotsParts ? this.parts : [] }));
  }
  restore(bytes: Uint8Array): void {
    ({ total: this.total, parts: this.parts } = JSON.parse(new TextDecoder().decode(bytes)) as { total: number; parts: number[] });
  }
}

describe('simulateApp: an application StateMachine', () => {
  const options = {
    commands: (random: Random) => random.int(1, 9),
    digest: (tally: Tally) => JSON.stringify([tally.total, tally.parts]),
    invariant: (replicas: readonly Replica<Tally>[]) => replicas.find((r) => r.state.parts.length > 0 && r.state.parts.reduce((a, b) => a + b) !== r.state.total)?.node,
    // Worlds that take a snapshot every 8 entries (see fuzzPoint).
    seeds: { from: 48, count: 6 },
  };

  it('passes a state machine whose snapshot holds its whole state', async () => {
    const result = await simulateApp({ ...options, stateMachine: () => new Tally(true) });
    expect(result.ok, result.report).toBe(true);
  }, 60_000);

  it('catches a snapshot that leaves part of the state out, when a replica restores it', async () => {
    const result = await simulateApp({ ...options, stateMachine: () => new Tally(false) });
    expect(result.failure?.property).toBe('Replica Agreement');
    expect(result.failure?.detail).toMatch(/restored a snapshot ending at d\d+ and holds \[\d+,\[\]\], but n\d held \[\d+,\[[\d,]+\]\]/);
  }, 60_000);
});

describe('simulateApp: bad options and broken tests', () => {
  const reducer = { initialState: 0, apply: (n: number, add: number) => n + add };

  it('names the option that is wrong', async () => {
    const bad: [unknown, RegExp][] = [
      [{ ...reducer }, /^commands: expected a function/],
      [{ ...reducer, commands: () => 1, stateMachine: () => undefined }, /^apply: give a reducer \(initialState and apply\) or a stateMachine factory/],
      [{ commands: () => 1 }, /^apply: give a reducer/],
      [{ apply: reducer.apply, commands: () => 1 }, /^initialState: a reducer needs its initial state/],
      [{ ...reducer, commands: () => 1, seeds: 0 }, /^seeds: expected an integer ≥ 1, got 0/],
      [{ ...reducer, commands: () => 1, seeds: [1, -2] }, /^seeds: a seed must be an integer ≥ 0, got -2/],
      [{ ...reducer, commands: () => 1, commandsPerSeed: 1.5 }, /^commandsPerSeed: expected an integer ≥ 1, got 1.5/],
      [{ ...reducer, commands: () => 1, retry: 'always' }, /^retry: expected one of never, plain, session, got always/],
      [{ ...reducer, commands: () => 1, attempts: 0 }, /^attempts: expected an integer ≥ 1, got 0/],
      [{ ...reducer, commands: () => 1, checkResult: true }, /^checkResult: expected a function/],
    ];
    for (const [options, message] of bad) {
      const error = await simulateApp(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimulateAppOptionsError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('rejects with AppCommandsError when commands() throws, and reports an invariant that throws as a failure', async () => {
    const thrown = await simulateApp({ ...reducer, commands: () => { throw new RangeError('no command'); }, seeds: 1 }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(AppCommandsError);
    expect((thrown as Error).message).toBe('commands() threw: RangeError: no command');
    const unencodable = await simulateApp({ ...reducer, commands: () => ({ add: 1n }) as never, seeds: 1 }).catch((e: unknown) => e);
    expect(unencodable).toBeInstanceOf(AppCommandsError);
    expect((unencodable as Error).message).toMatch(/^commands\(\) returned a command JSON cannot carry: TypeError: .*BigInt/);
    const result = await simulateApp({ ...reducer, commands: () => 1, invariant: () => { throw new Error('bad invariant'); }, seeds: 1 });
    expect(result.failure).toMatchObject({ property: 'App Invariant', detail: 'the invariant threw Error: bad invariant' });
  }, 30_000);
});
