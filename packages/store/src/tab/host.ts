/**
 * The host side of a tab store: what runs in the tab's Worker (or on the page, in-page). It
 * holds the tab's lock, takes part in placing the voter slots (Allocator), runs the tab's
 * nodes (nodes.ts), answers the page's dispatches and reads through them, removes the learners
 * of tabs that are gone while one of its nodes leads, and reports its status to the page.
 */
import type { RaftNode } from '@webraft/core';
import { Allocator } from './allocator.ts';
import { Dispatches, RETRY_MS } from './dispatches.ts';
import { TabDirectory } from './directory.ts';
import { learnerNodeId, slotNodeId, StoreNames, tabOfLearner, takeLock, type HeldLock } from './locks.ts';
import { joinAsLearner, startLearnerNode, startSlotNode, type HostedNode, type NodeEnvironment } from './nodes.ts';
import type { HostConfig, HostStatus, HostToPage, PageToHost, Port, RemoteError, TabInfo } from './protocol.ts';
import { toRemoteError } from './protocol.ts';
import type { CommandRecorder, RecorderSink } from './recorder.ts';

export interface HostEnvironment {
  readonly locks?: LockManager;
  readonly indexedDB?: IDBFactory;
  readonly BroadcastChannel?: typeof BroadcastChannel;
}

/** How often a leader looks for learners whose tab is gone, and the status is refreshed. */
const HOUSEKEEPING_MS = 1000;

function randomTabId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 12);
}

export class TabHost {
  readonly tab = randomTabId();
  readonly names: StoreNames;
  readonly #nodes = new Map<string, HostedNode>();
  readonly #env: NodeEnvironment;
  readonly #directory: TabDirectory;
  readonly #allocator: Allocator;
  readonly #locks: LockManager;
  #tabLock: HeldLock | undefined;
  #learner: HostedNode | undefined;
  #joined = false;
  #visible: boolean;
  #closed = false;
  #outbox: HostToPage[] = [];
  #statusDirty = false;
  #lastError: RemoteError | undefined;
  #nextSnapshot = 1;
  readonly #snapshots = new Map<number, { resolve: (state: Uint8Array) => void; reject: (error: Error) => void }>();
  /** Requests that came before this tab ran any node. */
  #waiting: (() => void)[] = [];
  #housekeeping: ReturnType<typeof setInterval> | undefined;
  #retries: ReturnType<typeof setInterval> | undefined;
  readonly #dispatches: Dispatches;
  #cleaning = false;
  /** Resolves once a node of this tab runs (a slot's, or the learner once it joined). */
  #running!: () => void;
  readonly #firstNode = new Promise<void>((resolve) => (this.#running = resolve));

  constructor(
    readonly config: HostConfig,
    private readonly port: Port,
    environment: HostEnvironment = {},
  ) {
    this.names = new StoreNames(config.name);
    const locks = environment.locks ?? (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks === undefined) throw new TypeError('a tab store needs Web Locks (navigator.locks): serve the page over https or from localhost');
    this.#locks = locks;
    this.#visible = config.visible;
    const Channel = environment.BroadcastChannel ?? globalThis.BroadcastChannel;
    this.#env = {
      config,
      names: this.names,
      locks,
      indexedDB: environment.indexedDB,
      BroadcastChannel: Channel,
      sink: (id) => this.#sink(id),
      changed: (error) => {
        if (error !== undefined) this.#lastError = error;
        this.#statusChanged();
      },
      leaderChanged: (leader) => {
        if (leader !== '') this.#dispatches.retry(false);
      },
    };
    this.#dispatches = new Dispatches(this.tab, () => this.#route());
    this.#directory = new TabDirectory({
      names: this.names,
      locks,
      BroadcastChannel: Channel,
      self: () => this.#info(),
      changed: () => this.#statusChanged(),
      slotMessage: (message) => this.#allocator.receive(message),
    });
    this.#allocator = new Allocator({
      tab: this.tab,
      names: this.names,
      locks,
      slots: config.maxVoters,
      directory: this.#directory,
      hosted: () => this.#hostedSlots(),
      host: (slot, lock) => void this.#hostSlot(slot, lock),
      release: (slot) => this.#releaseSlot(slot),
      moveLeadership: (from, to) => {
        const node = this.#nodes.get(slotNodeId(from))?.node;
        node?.transferLeadership(slotNodeId(to), { timeoutMs: this.config.requestTimeoutMs }).catch(() => undefined);
      },
    });
  }

  async start(): Promise<void> {
    this.#tabLock = await takeLock(this.#locks, this.names.tab(this.tab), { wait: false });
    this.#directory.start();
    await this.#allocator.start();
    this.#housekeeping = setInterval(() => {
      void this.#removeGoneLearners();
      this.#statusChanged();
    }, HOUSEKEEPING_MS);
    this.#retries = setInterval(() => this.#dispatches.retry(true), RETRY_MS / 4);
    if (this.#slotNodes().length === 0 && this.#pendingSlots === 0) void this.#startLearner();
    await this.#firstNode;
    this.#post({ t: 'ready' });
  }

  receive(message: PageToHost): void {
    switch (message.t) {
      case 'dispatch':
        for (const item of message.items) this.#dispatch(item.req, item.command, item.timeoutMs);
        return;
      case 'read':
        this.#whenRunning(() => this.#read(message.req, message.timeoutMs));
        return;
      case 'snapshot': {
        const waiter = this.#snapshots.get(message.req);
        this.#snapshots.delete(message.req);
        if (message.state !== undefined) waiter?.resolve(message.state);
        else waiter?.reject(new Error(message.error?.message ?? 'the page could not serialize the state'));
        return;
      }
      case 'visible':
        this.#visible = message.visible;
        this.#directory.announce();
        return;
      case 'close':
        void this.close().then(() => this.#post({ t: 'closed' }));
        return;
      case 'init':
        return;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#housekeeping);
    clearInterval(this.#retries);
    this.#dispatches.failAll({ name: 'StoppedError', message: 'the tab store closed' });
    this.#allocator.close();
    this.#directory.close();
    const nodes = [...this.#nodes.values()];
    this.#nodes.clear();
    await Promise.all(nodes.map(async (hosted) => {
      await hosted.node.stop();
      hosted.lock?.release();
    }));
    for (const waiter of this.#snapshots.values()) waiter.reject(new Error('the tab store closed'));
    this.#tabLock?.release();
    this.#statusChanged();
  }

  // --- nodes -------------------------------------------------------------------------------

  /** Slots whose node is being started. */
  #pendingSlots = 0;

  async #hostSlot(slot: number, lock: HeldLock): Promise<void> {
    if (this.#closed) {
      lock.release();
      return;
    }
    this.#pendingSlots++;
    const id = slotNodeId(slot);
    this.#post({ t: 'node', node: id });
    let hosted: HostedNode;
    try {
      hosted = await startSlotNode(this.#env, slot, lock);
    } catch (error) {
      this.#pendingSlots--;
      this.#lastError = toRemoteError(error);
      this.#post({ t: 'gone', node: id });
      // Let the slot go after a pause: another tab (or this one, later) tries again.
      setTimeout(() => {
        lock.release();
        this.#allocator.retry(slot);
        if (this.#nodes.size === 0 && this.#pendingSlots === 0 && !this.#closed) void this.#startLearner();
      }, 1000);
      this.#statusChanged();
      return;
    }
    this.#pendingSlots--;
    if (this.#closed) {
      await hosted.node.stop();
      lock.release();
      return;
    }
    this.#nodes.set(id, hosted);
    this.#directory.announce();
    this.#statusChanged();
    this.#running();
    this.#flushWaiting();
    if (this.#learner !== undefined) void this.#retireLearner(hosted.node);
  }

  async #releaseSlot(slot: number): Promise<void> {
    const hosted = this.#nodes.get(slotNodeId(slot));
    if (hosted === undefined) return;
    this.#nodes.delete(hosted.id);
    await hosted.node.stop();
    hosted.lock?.release();
    this.#post({ t: 'gone', node: hosted.id });
    this.#directory.announce();
    this.#statusChanged();
  }

  async #startLearner(): Promise<void> {
    if (this.#learner !== undefined || this.#closed) return;
    this.#post({ t: 'node', node: learnerNodeId(this.tab) });
    const learner = await startLearnerNode(this.#env, this.tab);
    if (this.#closed) {
      await learner.node.stop();
      return;
    }
    this.#learner = learner;
    this.#nodes.set(learner.id, learner);
    this.#directory.announce();
    if (await joinAsLearner(this.#env, learner.node)) {
      this.#joined = true;
      this.#running();
      this.#statusChanged();
      this.#flushWaiting();
    }
  }

  /** Stops the learner once the tab's new slot node has caught up with it. */
  async #retireLearner(slotNode: RaftNode<CommandRecorder>): Promise<void> {
    const learner = this.#learner;
    if (learner === undefined) return;
    this.#learner = undefined;
    const deadline = Date.now() + this.config.requestTimeoutMs;
    while (Date.now() < deadline && slotNode.status().state === 'running') {
      const behind = slotNode.stateMachine.seq < learner.node.stateMachine.seq;
      if (!behind && learner.node.status().pendingProposals === 0 && learner.node.status().pendingReads === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.#nodes.delete(learner.id);
    this.#directory.announce();
    // Leaving takes the learner out through the log; if that fails, a leader removes it once this tab is gone.
    await learner.node.leave({ timeoutMs: this.config.requestTimeoutMs }).catch(() => learner.node.stop());
    this.#post({ t: 'gone', node: learner.id });
    this.#statusChanged();
  }

  /** While one of this tab's nodes leads: removes, through the log, the learners of tabs that are gone. */
  async #removeGoneLearners(): Promise<void> {
    const leader = [...this.#nodes.values()].find((hosted) => hosted.node.isLeader)?.node;
    if (leader === undefined || this.#cleaning) return;
    const conf = leader.members();
    const learners = [...conf.learners, ...conf.learnersNext].filter((id) => tabOfLearner(id) !== undefined);
    if (learners.length === 0) return;
    this.#cleaning = true;
    try {
      const open = await this.#directory.prune();
      for (const id of learners) {
        if (open.has(tabOfLearner(id)!) || !leader.isLeader) continue;
        await leader.removeMember(id, { timeoutMs: this.config.requestTimeoutMs }).catch(() => undefined);
      }
    } finally {
      this.#cleaning = false;
    }
  }

  #slotNodes(): HostedNode[] {
    return [...this.#nodes.values()].filter((hosted) => hosted.slot !== undefined).sort((a, b) => a.slot! - b.slot!);
  }

  #hostedSlots(): Map<number, { leads: boolean }> {
    return new Map(this.#slotNodes().map((hosted) => [hosted.slot!, { leads: hosted.node.isLeader }]));
  }

  /** The node requests go through: the leader if this tab runs it, else this tab's first slot, else its learner. */
  #route(): RaftNode<CommandRecorder> | undefined {
    const slots = this.#slotNodes();
    const leader = slots.find((hosted) => hosted.node.isLeader);
    if (leader !== undefined) return leader.node;
    if (slots[0] !== undefined) return slots[0].node;
    return this.#joined ? this.#learner?.node : undefined;
  }

  #whenRunning(request: () => void): void {
    if (this.#route() !== undefined) request();
    else this.#waiting.push(request);
  }

  #flushWaiting(): void {
    if (this.#route() === undefined) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const request of waiting) request();
  }

  #dispatch(req: number, command: unknown, timeoutMs: number | undefined): void {
    this.#dispatches.add(command, timeoutMs ?? this.config.requestTimeoutMs, (outcome) => {
      if ('seq' in outcome) this.#post({ t: 'reply', req, node: outcome.node, seq: outcome.seq });
      else this.#post({ t: 'replyError', req, error: outcome });
    });
    if (this.#route() === undefined) this.#statusChanged();
  }

  #read(req: number, timeoutMs: number | undefined): void {
    const node = this.#route()!;
    node.read((recorder) => recorder.seq, timeoutMs === undefined ? {} : { timeoutMs }).then(
      (seq) => this.#post({ t: 'reply', req, node: node.id, seq }),
      (error: unknown) => this.#post({ t: 'replyError', req, error: toRemoteError(error) }),
    );
  }

  // --- to the page ---------------------------------------------------------------------------

  #sink(node: string): RecorderSink {
    return {
      applied: (seq, command) => {
        // Commands applied in one go travel in one message, behind whatever was posted before them.
        const last = this.#outbox[this.#outbox.length - 1];
        if (last?.t === 'applied' && last.node === node && last.first + last.commands.length === seq) last.commands.push(command);
        else this.#post({ t: 'applied', node, first: seq, commands: [command] });
      },
      restored: (seq, state) => this.#post({ t: 'restored', node, seq, state }),
      snapshot: (seq) => {
        const req = this.#nextSnapshot++;
        const answer = new Promise<Uint8Array>((resolve, reject) => this.#snapshots.set(req, { resolve, reject }));
        this.#post({ t: 'snapshot', node, seq, req });
        return answer;
      },
    };
  }

  #post(message: HostToPage): void {
    this.#outbox.push(message);
    this.#schedule();
  }

  #scheduled = false;

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.#statusDirty) {
        this.#statusDirty = false;
        this.#outbox.push({ t: 'status', status: this.status() });
      }
      const outbox = this.#outbox;
      this.#outbox = [];
      if (outbox.length > 0) this.port.postMessage(outbox);
    });
  }

  #statusChanged(): void {
    this.#statusDirty = true;
    this.#schedule();
  }

  #info(): TabInfo {
    return {
      tab: this.tab,
      slots: this.#slotNodes().map((hosted) => hosted.slot!),
      learner: this.#learner?.id,
      visible: this.#visible,
      allocator: this.#allocator?.active ?? false,
    };
  }

  status(): HostStatus {
    const slots = this.#slotNodes();
    const nodes = [...this.#nodes.values()];
    const leading = nodes.find((hosted) => hosted.node.isLeader) ?? slots[0] ?? this.#learner;
    const core = leading?.node.status();
    const leader = leading?.node.leader ?? '';
    const tabs = [this.#info(), ...this.#directory.tabs.values()];
    const leaderSlot = /^s(\d+)$/.exec(leader);
    const leaderTab = leaderSlot === null ? undefined : tabs.find((tab) => tab.slots.includes(Number(leaderSlot[1])))?.tab;
    const connected = leader !== '' && (slots.length > 0 || this.#joined);
    return {
      tab: this.tab,
      role: this.#closed ? 'closed' : slots.length > 0 ? 'voter' : this.#joined ? 'learner' : 'starting',
      slots: slots.map((hosted) => hosted.slot!),
      connected,
      leader,
      leaderTab,
      term: core?.term ?? 0,
      commit: core?.commit ?? 0,
      voters: core?.conf.voters ?? [],
      learners: core?.conf.learners ?? [],
      tabs,
      allocator: this.#allocator.active,
      error: this.#lastError,
    };
  }
}

/** Serves a tab store's host on `port` (a Worker's global scope, or a MessagePort in-page). */
export function serveTabHost(port: Port, environment: HostEnvironment = {}): void {
  let host: TabHost | undefined;
  port.onmessage = (event: MessageEvent<PageToHost>) => {
    const message = event.data;
    if (message.t === 'init') {
      if (host !== undefined) return;
      try {
        host = new TabHost(message.config, port, environment);
      } catch (error) {
        port.postMessage([{ t: 'failed', error: toRemoteError(error) } satisfies HostToPage]);
        return;
      }
      host.start().catch((error: unknown) => port.postMessage([{ t: 'failed', error: toRemoteError(error) } satisfies HostToPage]));
      return;
    }
    host?.receive(message);
  };
}

