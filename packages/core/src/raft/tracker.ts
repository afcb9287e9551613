/**
 * The configuration in effect and the leader's per-member progress, plus the votes of the
 * current election. Quorum questions go through quorum.ts so joint configurations are
 * handled in one place.
 */
import type { ConfState, NodeId } from './types.ts';
import { emptyConfState, members } from './confchange.ts';
import { Progress } from './progress.ts';
import { jointIndex, jointVote, type VoteResult } from './quorum.ts';

export class ProgressTracker {
  conf: ConfState = emptyConfState;
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(
    private readonly maxInflightMsgs: number,
    private readonly maxInflightBytes: number,
  ) {}

  /** Switch to `conf`; new members start probing at `nextIndex`, removed ones are forgotten. */
  applyConf(conf: ConfState, nextIndex: number): void {
    this.conf = conf;
    const ids = new Set(members(conf));
    for (const id of [...this.progress.keys()]) if (!ids.has(id)) this.progress.delete(id);
    for (const id of ids) {
      let pr = this.progress.get(id);
      if (pr === undefined) {
        pr = new Progress(nextIndex, this.maxInflightMsgs, this.maxInflightBytes);
        this.progress.set(id, pr);
      }
      pr.learner = !this.isVoter(id);
    }
  }

  /** Fresh progress for every member (a new term): nothing is known about followers yet. */
  resetProgress(nextIndex: number): void {
    for (const [id, old] of this.progress) {
      const pr = new Progress(nextIndex, this.maxInflightMsgs, this.maxInflightBytes);
      pr.learner = old.learner;
      this.progress.set(id, pr);
    }
  }

  isVoter(id: NodeId): boolean {
    return this.conf.voters.includes(id) || this.conf.votersOutgoing.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.progress.has(id);
  }

  /** Voters of both halves, each once, sorted. */
  voterIds(): NodeId[] {
    return [...new Set([...this.conf.voters, ...this.conf.votersOutgoing])].sort();
  }

  /** Highest index replicated on a quorum (joint-aware) by `match`. */
  committed(): number {
    return jointIndex(this.conf.voters, this.conf.votersOutgoing, (id) => this.progress.get(id)?.match ?? 0);
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return jointVote(this.conf.voters, this.conf.votersOutgoing, (id) => this.votes.get(id));
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Whether a quorum acknowledged (ids in `acks`); used for ReadIndex rounds. */
  quorumOf(acks: ReadonlySet<NodeId>): boolean {
    return jointVote(this.conf.voters, this.conf.votersOutgoing, (id) => acks.has(id) || undefined) === 'won';
  }

  /** CheckQuorum: did a quorum talk to us during the last election timeout? */
  quorumActive(self: NodeId): boolean {
    return (
      jointVote(this.conf.voters, this.conf.votersOutgoing, (id) =>
        id === self ? true : (this.progress.get(id)?.recentActive ?? false),
      ) === 'won'
    );
  }
}
