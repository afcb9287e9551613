/**
 * The workload's clients on their own, with a host that records what they ask for: where a
 * client sends its requests after a node stopped answering.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.ts';
import { defaultWorkload, Workload, type ClientEvent, type WorkloadHost } from '../src/workload.ts';

/** Follows a hint whenever it may, and otherwise picks the last node: the choice shows which it was. */
class HintFirst extends Random {
  override chance(): boolean {
    return true;
  }
  override pick<T>(items: readonly T[]): T {
    return items[items.length - 1]!;
  }
}

function recordingHost() {
  const sessions: string[] = [];
  const events: { client: string; attempt: number; kind: ClientEvent }[] = [];
  const host: WorkloadHost = {
    now: 0,
    random: new HintFirst(1),
    nodeIds: () => ['n1', 'n2', 'n3'],
    sendRequest: () => {},
    openSession: (node) => sessions.push(node),
    scheduleClient: (_at, client, attempt, kind) => events.push({ client, attempt, kind }),
    definitelyFailed: () => {},
  };
  return { host, sessions, events };
}

describe('workload clients', () => {
  it('a session request that no node answered is sent elsewhere, not again to the hinted node', () => {
    // Seed 1645 of the fuzzer: the probe's hint named a leader that then left the cluster and
    // stopped; every session request went to it until the run's time was up.
    const { host, sessions, events } = recordingHost();
    const workload = new Workload({ ...defaultWorkload, clients: 0 }, host);
    workload.submit({ op: 'put', key: 'k1', value: 'v' }, { client: 'probe', session: true, via: 'n1' });
    expect(sessions).toEqual(['n1']);
    const timeout = events.findLast((e) => e.client === 'probe')!;
    workload.onEvent('probe', timeout.attempt, timeout.kind);
    expect(sessions).toEqual(['n1', 'n3']);
  });

  it('a refused session request follows the leader the refusal names', () => {
    const { host, sessions, events } = recordingHost();
    const workload = new Workload({ ...defaultWorkload, clients: 0 }, host);
    workload.submit({ op: 'put', key: 'k1', value: 'v' }, { client: 'probe', session: true, via: 'n1' });
    workload.onSessionReply('probe', { kind: 'refused', reason: 'notLeader', leader: 'n2' });
    const retry = events.findLast((e) => e.client === 'probe')!;
    workload.onEvent('probe', retry.attempt, retry.kind);
    expect(sessions).toEqual(['n1', 'n2']);
  });
});
