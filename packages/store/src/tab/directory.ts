/**
 * Who else is open: tabs announce what they run on the store's tabs channel (`here`, answered
 * to every `hello`), and Web Locks tell which of them are still there — a tab whose lock is
 * free is gone, whatever it last said. Offers of voter slots travel on the same channel.
 */
import { lockSnapshot, type StoreNames } from './locks.ts';
import type { TabInfo } from './protocol.ts';

export type TabsMessage =
  | { readonly t: 'hello'; readonly from: string }
  | { readonly t: 'here'; readonly info: TabInfo }
  | { readonly t: 'bye'; readonly from: string }
  | { readonly t: 'offer'; readonly from: string; readonly to: string; readonly slot: number }
  | { readonly t: 'accept'; readonly from: string; readonly to: string; readonly slot: number };

export interface DirectoryHost {
  readonly names: StoreNames;
  readonly locks: LockManager;
  readonly BroadcastChannel: typeof BroadcastChannel;
  /** This tab as it is now. */
  self(): TabInfo;
  /** The set of other tabs changed. */
  changed(): void;
  /** A slot offer or acceptance addressed to this tab. */
  slotMessage(message: Extract<TabsMessage, { t: 'offer' | 'accept' }>): void;
}

/** How often the locks are asked which tabs are still open. */
const LIVENESS_POLL_MS = 1000;

export class TabDirectory {
  /** The other open tabs. */
  readonly tabs = new Map<string, TabInfo>();
  #channel: BroadcastChannel | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(private readonly host: DirectoryHost) {}

  start(): void {
    const channel = new this.host.BroadcastChannel(this.host.names.tabsChannel);
    this.#channel = channel;
    channel.onmessage = (event: MessageEvent<TabsMessage>) => this.#receive(event.data);
    this.#post({ t: 'hello', from: this.host.self().tab });
    this.announce();
    this.#poll = setInterval(() => void this.prune(), LIVENESS_POLL_MS);
  }

  /** Tells the other tabs what this one runs now. */
  announce(): void {
    this.#post({ t: 'here', info: this.host.self() });
  }

  send(message: TabsMessage): void {
    this.#post(message);
  }

  /** Forgets the tabs whose lock is free; returns the ids of the tabs whose lock is held. */
  async prune(): Promise<Set<string>> {
    const { held } = await lockSnapshot(this.host.locks);
    const open = new Set<string>();
    for (const name of held) {
      const tab = this.host.names.tabOf(name);
      if (tab !== undefined) open.add(tab);
    }
    let changed = false;
    for (const tab of this.tabs.keys()) {
      if (!open.has(tab)) changed = this.tabs.delete(tab) || changed;
    }
    if (changed && !this.#closed) this.host.changed();
    return open;
  }

  close(): void {
    if (this.#closed) return;
    this.#post({ t: 'bye', from: this.host.self().tab });
    this.#closed = true;
    clearInterval(this.#poll);
    this.#channel?.close();
  }

  #post(message: TabsMessage): void {
    if (!this.#closed) this.#channel?.postMessage(message);
  }

  #receive(message: TabsMessage): void {
    if (this.#closed || typeof message !== 'object' || message === null) return;
    const self = this.host.self().tab;
    switch (message.t) {
      case 'hello':
        this.announce();
        return;
      case 'here':
        if (message.info?.tab === self || typeof message.info?.tab !== 'string') return;
        this.tabs.set(message.info.tab, message.info);
        this.host.changed();
        return;
      case 'bye':
        // A courtesy only: the lock is the truth, so a tab that left is forgotten when its lock is free.
        void this.prune();
        return;
      case 'offer':
      case 'accept':
        if (message.to === self) this.host.slotMessage(message);
        return;
    }
  }
}
