/**
 * The configuration in effect and the leader's per-member progress, plus the votes of the
 * current election. Quorum questions go through quorum.ts so joint configurations are
 * handled in one place.
 */
import type { ConfState, NodeId } from './types.ts';
import { emptyConfState, members, storeTag } from './confchange.ts';
import { Progress } from './progress.ts';
import { jointIndex, jointVote, type VoteResult } from './quorum.ts';

export class ProgressTracker {
  conf: ConfState = emptyConfState;
  readonly progress = new Map<NodeId, Progress>();
  /** Store digests of the configuration's bindings, computed once each. */
  readonly #tags = new Map<string, number>();
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

  /**
   * Whether an answer from `id` carrying `tag` counts toward a quorum: where the configuration
   * binds stores, only from the store bound to `id` (a node that lost its state comes back with
   * another one).
   */
  counts(id: NodeId, tag: number): boolean {
    const stores = this.conf.stores;
    if (stores === undefined) return true;
    const bound = Object.hasOwn(stores, id) ? stores[id] : undefined;
    if (bound === undefined) return false;
    let cached = this.#tags.get(bound);
    if (cached === undefined) this.#tags.set(bound, (cached = storeTag(bound)));
    return cached === tag;
  }

  /** Highest index replicated on a quorum (joint-aware) by `match`; a follower that may have lost its state counts for nothing. */
  committed(): number {
    return jointIndex(this.conf.voters, this.conf.votersOutgoing, (id) => {
      const pr = this.progress.get(id);
      return pr === undefined || pr.uncounted ? 0 : pr.match;
    });
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
        id === self ? true : this.progress.get(id)?.recentActive === true && this.progress.get(id)?.uncounted !== true,
      ) === 'won'
    );
  }
}
