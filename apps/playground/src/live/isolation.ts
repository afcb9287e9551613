/**
 * "Isolate this tab" for the tab store: the store's Worker runs with a BroadcastChannel that,
 * while the tab is isolated, keeps the Raft frames of this tab's nodes among themselves — a frame
 * to a node of another tab is dropped, a frame from another tab is ignored — as a network
 * partition would. The store is not told: its nodes see a partition, as Raft would on a real
 * network. Only the store's node channels (`…:node:<id>`) are filtered; the tabs channel, on
 * which the tabs say who is open, stays up (it is not Raft traffic).
 *
 * The page switches it through a control channel named after the Worker (its `name`), so the
 * store's own messages between page and Worker are never touched.
 */

/** The control message the page posts on `isolationChannel(worker name)`. */
export interface IsolationControl {
  readonly isolated: boolean;
}

export const isolationChannel = (workerName: string): string => `webraft-live-isolation:${workerName}`;

const isRaftChannel = (name: string): boolean => name.includes(':node:');

type Listener = ((this: BroadcastChannel, event: MessageEvent) => unknown) | null;

/** Makes the BroadcastChannel class the store will use, with its isolation switch. */
export function isolatingChannel(Base: typeof BroadcastChannel): { readonly Channel: typeof BroadcastChannel; setIsolated(on: boolean): void } {
  let isolated = false;
  /** This context's channels by name: while isolated, frames between them are handed over here. */
  const local = new Map<string, Set<IsolatingChannel>>();

  class IsolatingChannel extends Base {
    #listener: Listener = null;

    constructor(name: string) {
      super(name);
      let same = local.get(name);
      if (same === undefined) local.set(name, (same = new Set()));
      same.add(this);
      super.onmessage = (event: MessageEvent) => {
        if (!(isolated && isRaftChannel(this.name))) this.#listener?.call(this, event);
      };
    }

    override get onmessage(): Listener {
      return this.#listener;
    }

    override set onmessage(listener: Listener) {
      this.#listener = listener;
    }

    override postMessage(message: unknown): void {
      if (!(isolated && isRaftChannel(this.name))) {
        super.postMessage(message);
        return;
      }
      // Like BroadcastChannel: every other channel of that name in this context gets it, in a task of its own.
      for (const channel of local.get(this.name) ?? []) {
        if (channel === this) continue;
        setTimeout(() => channel.#listener?.call(channel, new MessageEvent('message', { data: message })), 0);
      }
    }

    override close(): void {
      local.get(this.name)?.delete(this);
      super.close();
    }
  }

  return {
    Channel: IsolatingChannel,
    setIsolated: (on) => {
      isolated = on;
    },
  };
}
