/**
 * Guided scenarios. Each step explains what is about to happen, applies its actions (chosen
 * from the cluster as it is, e.g. "crash whoever leads") and then plays until its condition
 * holds. The actions land in the run's action list, so the URL replays them exactly.
 */
import type { Action } from './model/actions.ts';
import { allApplied, currentLeader, leaders, liveNodes, logsAgree, maxCommit, nodeById } from './model/queries.ts';
import type { Frame } from './model/types.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type StepAction = DistributiveOmit<Action, 't'>;

export interface ScenarioStep {
  readonly text: string;
  readonly act?: (frame: Frame) => StepAction[];
  /** Play until this holds (checked on every frame), at most `maxMs` of virtual time. */
  readonly until?: (frame: Frame) => boolean;
  readonly maxMs?: number;
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly seed: number;
  readonly nodes: number;
  /** Run with the paper's original rules: no PreVote, no CheckQuorum. */
  readonly classic?: boolean;
  readonly steps: readonly ScenarioStep[];
}

const hasLeader = (f: Frame) => currentLeader(f) !== undefined;
/** Every server took the founders as the cluster's configuration (after the founding check) and runs its election timer. */
const founded = (f: Frame) => f.nodes.every((n) => n.member && n.timer !== undefined);
const settled = (f: Frame) => hasLeader(f) && maxCommit(f) >= 1 && allApplied(f, maxCommit(f)) && logsAgree(f);
/** A leader whose term is newer than some live server's: the majority side has moved on. */
const newerLeader = (f: Frame) => {
  const lowest = Math.min(...liveNodes(f).map((n) => n.term));
  return leaders(f).some((l) => l.term > lowest);
};
const leaderCommitted = (f: Frame) => {
  const l = currentLeader(f);
  return l !== undefined && l.commit >= (l.log[l.log.length - 1]?.index ?? 0);
};
const leaderId = (f: Frame) => currentLeader(f)?.id ?? 'n1';
const followerOf = (f: Frame) => liveNodes(f).find((n) => n.role !== 'leader' && n.member)?.id ?? 'n2';

export const scenarios: Scenario[] = [
  {
    id: 'election',
    title: 'Leader election',
    seed: 3,
    nodes: 5,
    steps: [
      {
        text: 'Five servers start as followers in term 0. First they check with each other that the cluster is new (green founding messages: an empty disk could also be one that lost its state), and each takes the five founders as the cluster’s configuration. From then on each runs an election timer (the arc around it) with a random timeout, so they rarely all time out together.',
        until: founded,
        maxMs: 500,
      },
      {
        text: 'Time runs. The first server whose timer runs out asks the others whether it could win (a pre-vote), then becomes a candidate: it moves to a new term, votes for itself and sends RequestVote (orange) to everyone.',
        until: hasLeader,
        maxMs: 5000,
      },
      {
        text: 'A server grants its vote to the first candidate of a term whose log is at least as up to date as its own (§5.2, §5.4.1). With votes from a majority the candidate becomes leader and appends an empty entry to its log.',
        until: (f) => hasLeader(f) && allApplied(f, maxCommit(f)) && maxCommit(f) > 0,
        maxMs: 3000,
      },
      {
        text: 'The leader now sends heartbeats (small light-blue dots) well before any follower timer runs out; each heartbeat resets the follower’s timer, so no one else starts an election.',
        maxMs: 1500,
      },
    ],
  },
  {
    id: 'replication',
    title: 'Log replication',
    seed: 5,
    nodes: 5,
    steps: [
      { text: 'First a leader is elected.', until: settled, maxMs: 5000 },
      {
        text: 'A client sends a command to the leader. The leader appends it to its log (dashed border: not committed yet) and sends AppendEntries (blue) to every follower.',
        act: (f) => [{ kind: 'request', node: leaderId(f) }],
        until: (f) => maxCommit(f) > 1 && allApplied(f, maxCommit(f)),
        maxMs: 3000,
      },
      {
        text: 'Once a majority stores the entry, the leader marks it committed (solid border) and applies it; followers learn the new commit index from the next AppendEntries or heartbeat.',
        maxMs: 600,
      },
      {
        text: 'A request sent to a follower is forwarded to the leader (green dot), which replicates it the same way.',
        act: (f) => [{ kind: 'request', node: followerOf(f) }],
        until: (f) => maxCommit(f) > 2 && allApplied(f, maxCommit(f)),
        maxMs: 3000,
      },
    ],
  },
  {
    id: 'leader-failure',
    title: 'Leader failure',
    seed: 7,
    nodes: 5,
    steps: [
      { text: 'A leader is elected and commits a client command.', until: settled, maxMs: 5000 },
      {
        text: 'A client command is replicated.',
        act: (f) => [{ kind: 'request', node: leaderId(f) }],
        until: (f) => maxCommit(f) > 1 && settled(f),
        maxMs: 3000,
      },
      {
        text: 'Now the leader crashes. Followers stop hearing heartbeats, so their election timers run out.',
        act: (f) => [{ kind: 'crash', node: leaderId(f) }],
        maxMs: 200,
      },
      {
        text: 'One of them wins an election in a higher term. Every committed entry is still there: a candidate whose log lacks a committed entry cannot get a majority of votes (§5.4.1).',
        until: (f) => leaders(f).some((l) => l.role === 'leader'),
        maxMs: 5000,
      },
      {
        text: 'The old leader restarts. It recovers its term, vote and log from disk, hears from the new leader with a higher term and becomes a follower.',
        act: (f) => f.nodes.filter((n) => n.role === 'down').map((n) => ({ kind: 'restart' as const, node: n.id })),
        until: (f) => settled(f) && liveNodes(f).length === f.nodes.length,
        maxMs: 5000,
      },
    ],
  },
  {
    id: 'split-vote',
    title: 'Split vote',
    seed: 11,
    nodes: 4,
    steps: [
      { text: 'Four servers start, check with each other that the cluster is new (the founding check) and start their election timers.', until: founded, maxMs: 500 },
      {
        text: 'Four servers: a majority is three votes. N1 and N3 time out at the same moment. To make the race come out even every time, the links N1–N4 and N3–N2 are cut for a moment (red dashes), as if those requests were slow.',
        act: () => [
          { kind: 'cut', a: 'n1', b: 'n4' },
          { kind: 'cut', a: 'n2', b: 'n3' },
          { kind: 'timeout', node: 'n1' },
          { kind: 'timeout', node: 'n3' },
        ],
        until: (f) => f.nodes.filter((n) => n.role === 'candidate').length === 2,
        maxMs: 400,
      },
      {
        text: 'Both are candidates in the same term and vote for themselves. Each follower grants its one vote of the term to the candidate it hears from: N2 to N1, N4 to N3. Two votes each is no majority, so nobody wins this term.',
        until: (f) => {
          const votes = new Map<string, number>();
          for (const n of f.nodes) if (n.vote !== '') votes.set(n.vote, (votes.get(n.vote) ?? 0) + 1);
          return votes.get('n1') === 2 && votes.get('n3') === 2;
        },
        maxMs: 400,
      },
      {
        text: 'The links are back. The candidates wait for their election timers to run out again; the timeouts are drawn at random, so one of them (or another server) starts the next term first and this time collects a majority.',
        act: () => [{ kind: 'healAll' }],
        until: hasLeader,
        maxMs: 6000,
      },
      { text: 'A leader was elected in a later term. The event log shows each round.', maxMs: 300 },
    ],
  },
  {
    id: 'stale-leader',
    title: 'Partition: a stale leader in the minority',
    seed: 13,
    nodes: 5,
    steps: [
      { text: 'A leader is elected.', until: settled, maxMs: 5000 },
      {
        text: 'The network splits: the leader and one follower on one side, three servers on the other (red dashed links).',
        act: (f) => {
          const lead = leaderId(f);
          const mate = followerOf(f);
          const rest = f.nodes.map((n) => n.id).filter((id) => id !== lead && id !== mate);
          return [{ kind: 'partition', groups: [[lead, mate], rest] }];
        },
        maxMs: 60,
      },
      {
        text: 'A client reaches the old leader. It appends the command and replicates it to the one follower it can reach, but it can never commit it: two of five servers are not a majority (dashed border = not committed).',
        act: (f) => [{ kind: 'request', node: leaderId(f) }],
        maxMs: 120,
      },
      {
        text: 'The majority side stops hearing heartbeats and elects a new leader in a higher term. The old leader may go on believing it leads for a while; with CheckQuorum (on by default) it steps down once it has not heard from a majority for an election timeout. Either way it cannot commit anything.',
        until: newerLeader,
        maxMs: 5000,
      },
      {
        text: 'A client reaches the new leader; with three of five servers this command commits.',
        act: (f) => [{ kind: 'request', node: leaderId(f) }],
        until: (f) => newerLeader(f) && leaderCommitted(f) && maxCommit(f) >= 2,
        maxMs: 2500,
      },
      {
        text: 'The network heals. The old leader and its follower learn of the higher term; their uncommitted entry conflicts with the new leader’s log at the same index and is overwritten (§5.3). Nothing committed was lost.',
        act: () => [{ kind: 'healAll' }],
        until: settled,
        maxMs: 5000,
      },
    ],
  },
  {
    id: 'log-repair',
    title: 'Log repair (Figure 7)',
    seed: 17,
    nodes: 5,
    steps: [
      { text: 'A leader is elected.', until: settled, maxMs: 5000 },
      {
        text: 'Two client commands are committed on every server.',
        act: (f) => [{ kind: 'request', node: leaderId(f) }, { kind: 'request', node: leaderId(f) }],
        until: (f) => settled(f) && maxCommit(f) >= 3,
        maxMs: 2000,
      },
      {
        text: 'The leader is cut off with one follower and accepts two more commands it cannot commit: these two servers now hold extra entries of the old term.',
        act: (f) => {
          const lead = leaderId(f);
          const mate = followerOf(f);
          const rest = f.nodes.map((n) => n.id).filter((id) => id !== lead && id !== mate);
          return [{ kind: 'partition', groups: [[lead, mate], rest] }, { kind: 'request', node: lead }, { kind: 'request', node: lead }];
        },
        maxMs: 150,
      },
      {
        text: 'The other three elect a new leader in a higher term. (The old leader steps down when it notices it lost its majority, but its extra entries stay in its log.)',
        until: newerLeader,
        maxMs: 5000,
      },
      {
        text: 'The new leader commits a command of its own term with the three servers it can reach.',
        act: (f) => [{ kind: 'request', node: leaderId(f) }],
        until: (f) => newerLeader(f) && leaderCommitted(f) && maxCommit(f) >= 5,
        maxMs: 2000,
      },
      {
        text: 'One of its followers crashes, and the leader takes one more command. It reaches only two servers, so it is not committed yet.',
        act: (f) => {
          const lead = currentLeader(f)!;
          const follower = liveNodes(f).find((n) => n.role === 'follower' && n.term === lead.term)!;
          return [{ kind: 'crash', node: follower.id }, { kind: 'request', node: lead.id }];
        },
        maxMs: 120,
      },
      {
        text: 'Now the network heals and the crashed server restarts. Compare the logs: one follower is missing an entry, two hold entries of an old term that no majority stored. For each follower the leader finds the last index where their logs agree (a rejected AppendEntries carries a hint, so a whole conflicting term is skipped at once), then overwrites everything after it; with a majority again, the last command commits.',
        act: (f) => [{ kind: 'healAll' }, ...f.nodes.filter((n) => n.role === 'down').map((n) => ({ kind: 'restart' as const, node: n.id }))],
        until: (f) => settled(f) && liveNodes(f).length === f.nodes.length,
        maxMs: 6000,
      },
    ],
  },
  {
    id: 'membership',
    title: 'Membership change',
    seed: 19,
    nodes: 3,
    steps: [
      { text: 'A three-server cluster elects a leader.', until: settled, maxMs: 5000 },
      {
        text: 'We add N4. The leader appends a configuration entry; N4 starts empty and the leader sends it the whole log (or a snapshot). The new configuration takes effect as soon as it is in a server’s log.',
        act: () => [{ kind: 'addNode', node: 'n4' }],
        until: (f) => (nodeById(f, 'n4')?.member ?? false) && settled(f),
        maxMs: 5000,
      },
      {
        text: 'Now a majority is three of four. We remove N1: once the change commits, N1 is no longer part of the cluster (if it was the leader, it steps down and the others elect a new one).',
        act: () => [{ kind: 'removeNode', node: 'n1' }],
        until: (f) => !(nodeById(f, 'n1')?.member ?? true) && settled(f),
        maxMs: 6000,
      },
    ],
  },
];

/** The highest term any live server has reached. */
const highestTerm = (f: Frame) => Math.max(...liveNodes(f).map((n) => n.term));

scenarios.push({
  id: 'disruption',
  title: 'Classic Raft: a server that rejoins disrupts the leader',
  seed: 23,
  nodes: 5,
  classic: true,
  steps: [
    { text: 'This run uses the paper’s original rules: no PreVote and no CheckQuorum (see “classic Raft” at the top). A leader is elected.', until: settled, maxMs: 5000 },
    {
      text: 'One follower is cut off from everyone. It hears no heartbeats, so its election timer runs out again and again; each time it becomes a candidate and raises its term (§5.2), though it can never collect a majority on its own.',
      act: (f) => {
        const lonely = followerOf(f);
        return [{ kind: 'partition', groups: [[lonely], f.nodes.map((n) => n.id).filter((id) => id !== lonely)] }];
      },
      until: (f) => highestTerm(f) >= (currentLeader(f)?.term ?? 0) + 3,
      maxMs: 6000,
    },
    {
      text: 'The network heals. The returning server ignores the leader’s heartbeats, which are of an older term. When its timer runs out again it asks for votes in its high term, and a server that sees a higher term steps down (§5.1): the healthy leader becomes a follower, and the cluster holds an election it did not need.',
      act: () => [{ kind: 'healAll' }],
      until: (f) => settled(f) && (currentLeader(f)?.term ?? 0) >= highestTerm(f),
      maxMs: 6000,
    },
    {
      text: 'With PreVote (thesis §9.6) the cut-off server would only ask whether it could win, never raising its term, and its return would change nothing. Untick “classic Raft” at the top to replay this same run under those rules and compare the event logs.',
      maxMs: 300,
    },
  ],
});

export function scenarioById(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}
