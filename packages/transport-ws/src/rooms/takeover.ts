/**
 * One node id per room. A newcomer asking for an id a connection holds gets it only if the
 * holder fails to show it is alive in time: a socket that died silently, or a client that
 * stalled, must not keep its node out of the cluster, and a live one must not be pushed out
 * by whoever asks for its id. How a holder shows it is alive depends on the runtime: a
 * WebSocket ping on Node, any message at all where the runtime hides pings.
 */

/** What became of the newcomer's claim: the id is free for it, a live holder keeps it, or the newcomer went away meanwhile. */
export type NodeIdContest = 'free' | 'inUse' | 'abandoned';

export interface NodeIdHolders<Holder> {
  /** The connection holding the id now, if any. */
  holder(): Holder | undefined;
  /** Resolves true if `holder` shows it is alive in time. */
  probe(holder: Holder): Promise<boolean>;
  /** Takes the id from a holder that did not (close code 4009 to it). */
  replace(holder: Holder): void;
  /** The newcomer left, or the relay is closing: nothing more to decide. */
  abandoned(): boolean;
}

/** Frees the id for the newcomer from holders that do not answer, until one does or it is free. */
export async function contestNodeId<Holder>(holders: NodeIdHolders<Holder>): Promise<NodeIdContest> {
  for (;;) {
    if (holders.abandoned()) return 'abandoned';
    const holder = holders.holder();
    if (holder === undefined) return 'free';
    const answered = await holders.probe(holder);
    if (holders.abandoned()) return 'abandoned';
    // Someone else took it meanwhile: start over with the new holder.
    if (holders.holder() !== holder) continue;
    if (answered) return 'inUse';
    holders.replace(holder);
  }
}
