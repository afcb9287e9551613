/**
 * Status over the relay, without touching the Raft traffic: nodes that opt in (`serveStatus`)
 * join a sibling room, `statusRoom(room)`, and answer JSON requests there. The relay forwards
 * the relay envelope's `data` kind opaquely, so any relay serves it unchanged.
 *
 * Envelope (the relay's wire format): kind u8 · peer id length u8 · peer id UTF-8 · payload.
 * Payload: UTF-8 JSON, a `StatusRequest` or a `StatusReply`.
 */
import type { NodeId, RaftNodeStatus } from '@webraft/core';

export const envelopeKind = { data: 1, presence: 3, welcome: 4 } as const;

/** Ids of querying clients start with this, so that a querier does not ask another one. */
export const queryIdPrefix = '~status-';

export function statusRoom(room: string): string {
  return `webraft-status:${room}`;
}

export interface StatusRequest {
  readonly type: 'statusRequest';
  readonly id: number;
}

/** What one node reports about itself. */
export interface NodeStatusReport {
  readonly id: NodeId;
  readonly role: string;
  readonly state: string;
  readonly term: number;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** On a leader: each peer's matched index. */
  readonly match?: Readonly<Record<NodeId, number>>;
}

export interface StatusReply {
  readonly type: 'status';
  readonly id: number;
  readonly status: NodeStatusReport;
}

export class StatusProtocolError extends Error {
  override readonly name = 'StatusProtocolError';
}

export function reportOf(status: RaftNodeStatus): NodeStatusReport {
  const match = status.progress
    ? Object.fromEntries(Object.entries(status.progress).map(([peer, p]) => [peer, p.match]))
    : undefined;
  return {
    id: status.id,
    role: status.role,
    state: status.state,
    term: status.term,
    leader: status.lead,
    commit: status.commit,
    applied: status.applied,
    lastIndex: status.lastIndex,
    voters: status.conf.voters,
    learners: status.conf.learners,
    ...(match ? { match } : {}),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeEnvelope(kind: number, peer: NodeId, payload: unknown): Uint8Array {
  const id = encoder.encode(peer);
  const body = encoder.encode(JSON.stringify(payload));
  const out = new Uint8Array(2 + id.length + body.length);
  out[0] = kind;
  out[1] = id.length;
  out.set(id, 2);
  out.set(body, 2 + id.length);
  return out;
}

export interface ReceivedEnvelope {
  readonly kind: number;
  readonly peer: NodeId;
  readonly payload: Uint8Array;
}

/** @throws StatusProtocolError on a truncated envelope or a peer id that is not UTF-8. */
export function decodeEnvelope(bytes: Uint8Array): ReceivedEnvelope {
  if (bytes.length < 2 || bytes.length < 2 + bytes[1]!) throw new StatusProtocolError('truncated envelope');
  try {
    return { kind: bytes[0]!, peer: decoder.decode(bytes.subarray(2, 2 + bytes[1]!)), payload: bytes.subarray(2 + bytes[1]!) };
  } catch {
    throw new StatusProtocolError('peer id is not UTF-8');
  }
}

/** @throws StatusProtocolError when the payload is not JSON. */
export function parsePayload(payload: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(payload));
  } catch {
    throw new StatusProtocolError('payload is not UTF-8 JSON');
  }
}

export function isStatusRequest(value: unknown): value is StatusRequest {
  const v = value as StatusRequest | null;
  return typeof v === 'object' && v !== null && v.type === 'statusRequest' && Number.isSafeInteger(v.id);
}

export function isStatusReply(value: unknown): value is StatusReply {
  const v = value as StatusReply | null;
  return (
    typeof v === 'object' && v !== null && v.type === 'status' && Number.isSafeInteger(v.id) &&
    typeof v.status === 'object' && v.status !== null && typeof v.status.id === 'string' &&
    typeof v.status.term === 'number' && typeof v.status.commit === 'number' && typeof v.status.applied === 'number'
  );
}

/** The parts of a WebSocket both sides use (the browser's, or `ws`'s on Node). */
export interface StatusSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type StatusSocketConstructor = new (url: string) => StatusSocket;

export function connectUrl(url: string, room: string, node: NodeId, token: string | undefined): string {
  const u = new URL(url);
  u.searchParams.set('room', statusRoom(room));
  u.searchParams.set('node', node);
  if (token !== undefined) u.searchParams.set('token', token);
  return u.toString();
}

export function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
