/** Messages between the test page and the Worker that runs its Raft node. */
import type { ConfState, NodeId } from '@webraft/core';
import type { KvCommand, KvInput } from '@webraft/sim';

export type TransportKind = 'broadcast' | 'relay' | 'webrtc';

export interface NodeConfig {
  readonly id: NodeId;
  /** Voters of a brand-new cluster; empty for a node that waits to be added. */
  readonly members: readonly NodeId[];
  readonly transport: TransportKind;
  readonly relayUrl: string;
  /** Channel name, relay room and IndexedDB prefix. */
  readonly cluster: string;
  /** A deliberately broken core (`@webraft/core/testing` mutants); test builds only. */
  readonly mutant?: string;
}

export type Request =
  | { readonly type: 'propose'; readonly command: KvCommand; readonly timeoutMs: number }
  | { readonly type: 'read'; readonly key: string; readonly timeoutMs: number }
  | { readonly type: 'addMember'; readonly id: NodeId; readonly timeoutMs: number }
  | { readonly type: 'dump' };

export type PageToWorker =
  | { readonly type: 'start'; readonly config: NodeConfig }
  | { readonly type: 'request'; readonly req: number; readonly request: Request }
  /** A message the page's WebRTC transport received for this node, as an encoded frame. */
  | { readonly type: 'deliver'; readonly frame: Uint8Array };

export interface NodeReport {
  readonly id: NodeId;
  readonly role: string;
  readonly term: number;
  readonly lead: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly conf: ConfState;
}

export interface LogEvent {
  readonly time: number;
  readonly text: string;
}

export type WorkerToPage =
  | { readonly type: 'ready'; readonly recovered: { readonly lastIndex: number; readonly commit: number; readonly term: number } }
  | { readonly type: 'report'; readonly report: NodeReport }
  | { readonly type: 'event'; readonly event: LogEvent }
  | { readonly type: 'reply'; readonly req: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly req: number; readonly ok: false; readonly name: string; readonly message: string }
  | { readonly type: 'failed'; readonly error: string }
  /** A message for the page's WebRTC transport to send, as an encoded frame. */
  | { readonly type: 'send'; readonly frame: Uint8Array };

export type { KvCommand, KvInput };
