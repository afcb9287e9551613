/** Messages between a tab store's page side and its host (the Worker, or the page itself in-page). */
import type { FrameSecret } from '@webraft/core';

/** What the host needs to know; all of it crosses `postMessage`. */
export interface HostConfig {
  readonly name: string;
  readonly maxVoters: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly requestTimeoutMs: number;
  readonly snapshotEvery: number;
  readonly maxBatchCommands: number;
  readonly persist: boolean;
  readonly secret?: FrameSecret;
  readonly visible: boolean;
}

/** One open tab, as the tabs tell each other. */
export interface TabInfo {
  readonly tab: string;
  /** Voter slots it runs (1-based). */
  readonly slots: readonly number[];
  /** Its learner node's id, when it follows as a learner. */
  readonly learner: string | undefined;
  readonly visible: boolean;
  /** It places free slots (holds the allocator lock). */
  readonly allocator: boolean;
}

/** What the host reports; the page adds what only it knows (pending writes, its seq). */
export interface HostStatus {
  readonly tab: string;
  readonly role: 'starting' | 'voter' | 'learner' | 'closed';
  readonly slots: readonly number[];
  /** A node of this tab knows the leader (and, for a learner, has joined). */
  readonly connected: boolean;
  /** The leader's Raft id (`s1`…), or '' when none is known. */
  readonly leader: string;
  /** The tab that runs the leader, when known. */
  readonly leaderTab: string | undefined;
  readonly term: number;
  readonly commit: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly tabs: readonly TabInfo[];
  readonly allocator: boolean;
  /** The last error a node of this tab reported, if any. */
  readonly error: { readonly name: string; readonly message: string } | undefined;
}

export interface RemoteError {
  readonly name: string;
  readonly message: string;
}

export type PageToHost =
  | { readonly t: 'init'; readonly config: HostConfig }
  | { readonly t: 'dispatch'; readonly items: readonly { readonly req: number; readonly command: unknown; readonly timeoutMs: number | undefined }[] }
  | { readonly t: 'read'; readonly req: number; readonly timeoutMs: number | undefined }
  | { readonly t: 'snapshot'; readonly req: number; readonly state: Uint8Array | undefined; readonly error?: RemoteError }
  | { readonly t: 'visible'; readonly visible: boolean }
  | { readonly t: 'close' };

export type HostToPage =
  | { readonly t: 'node'; readonly node: string }
  | { readonly t: 'gone'; readonly node: string }
  | { readonly t: 'applied'; readonly node: string; readonly first: number; readonly commands: unknown[] }
  | { readonly t: 'restored'; readonly node: string; readonly seq: number; readonly state: Uint8Array }
  | { readonly t: 'snapshot'; readonly node: string; readonly seq: number; readonly req: number }
  | { readonly t: 'reply'; readonly req: number; readonly node: string; readonly seq: number }
  | { readonly t: 'replyError'; readonly req: number; readonly error: RemoteError }
  | { readonly t: 'status'; readonly status: HostStatus }
  | { readonly t: 'ready' }
  | { readonly t: 'failed'; readonly error: RemoteError }
  | { readonly t: 'closed' };

/** The end of a MessagePort, a Worker or a worker's global scope the two sides talk through. */
export interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

export const toRemoteError = (error: unknown): RemoteError =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
