/** Messages between a live tab's page and the Web Worker that runs its Raft node. */
import type { NodeId, RaftNodeStatus } from '@webraft/core';
import type { BridgeToPage } from './port-transport.ts';
import type { Todo, TodoCommand } from './todo.ts';

export type TransportKind = 'broadcast' | 'relay' | 'webrtc';

export interface StartRequest {
  readonly type: 'start';
  readonly id: NodeId;
  readonly members: readonly NodeId[];
  readonly transport: TransportKind;
  /** WebSocket URL of the relay, for `relay` and `webrtc` (signalling). */
  readonly relayUrl: string;
  /** Name shared by the tabs of one cluster (channel name, relay room, IndexedDB prefix). */
  readonly cluster: string;
}

export type PageToWorker =
  | StartRequest
  | { readonly type: 'propose'; readonly req: number; readonly command: TodoCommand }
  | { readonly type: 'read'; readonly req: number }
  | { readonly type: 'isolate'; readonly on: boolean }
  | { readonly type: 'campaign' }
  | { readonly type: 'stop' };

/** One line of the node's own event log. */
export interface LiveEvent {
  readonly time: number;
  readonly node: NodeId;
  readonly text: string;
}

export interface LogTailEntry {
  readonly index: number;
  readonly term: number;
  readonly label: string;
}

/** What a node tells its page (and, through the page, the other tabs) about itself. */
export interface NodeReport
  extends Pick<RaftNodeStatus, 'id' | 'role' | 'term' | 'vote' | 'lead' | 'commit' | 'applied' | 'firstIndex' | 'lastIndex'> {
  readonly voters: readonly NodeId[];
  readonly isolated: boolean;
  /** The last entries of the log (at most 16). */
  readonly tail: readonly LogTailEntry[];
  readonly transport: TransportKind;
  readonly messagesSent: number;
  readonly messagesReceived: number;
}

/** A message this node sent, for the cluster picture (type and peer only). */
export interface SentMessage {
  readonly to: NodeId;
  readonly type: string;
  readonly at: number;
}

export type WorkerToPage =
  | BridgeToPage
  | { readonly type: 'ready'; readonly recovered: { readonly entries: number; readonly commit: number; readonly term: number } }
  | { readonly type: 'report'; readonly report: NodeReport; readonly sent: readonly SentMessage[] }
  | { readonly type: 'todos'; readonly items: readonly Todo[]; readonly index: number }
  | { readonly type: 'event'; readonly event: LiveEvent }
  | { readonly type: 'reply'; readonly req: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly req: number; readonly ok: false; readonly error: string; readonly name: string; readonly leader?: NodeId }
  | { readonly type: 'failed'; readonly error: string };
