/**
 * What relays send each other on their own channels, and how rooms' changes read.
 *
 * A relay's channel carries binary messages, the first byte saying which:
 *   1 frame        room length (1 byte) · room · receiver length (1 byte) · receiver · envelope
 *   2 probe        JSON { id, room, node, from }: is your connection for `node` alive?
 *   3 probe reply  JSON { id, answered }
 * Room channels carry the text the scripts publish (scripts.ts).
 */
import type { NodeId } from '@webraft/core';
import type { RoomEvent } from './link.ts';

export const BusKind = { frame: 1, probe: 2, probeReply: 3 } as const;

export interface ProbeRequest {
  readonly id: number;
  readonly room: string;
  readonly node: NodeId;
  /** The relay asking, which the reply goes to. */
  readonly from: string;
}

export interface ProbeReply {
  readonly id: number;
  readonly answered: boolean;
}

export type BusMessage =
  | { readonly kind: typeof BusKind.frame; readonly room: string; readonly to: NodeId; readonly frame: Uint8Array }
  | { readonly kind: typeof BusKind.probe; readonly request: ProbeRequest }
  | { readonly kind: typeof BusKind.probeReply; readonly reply: ProbeReply };

/** A message on a relay's channel or a room's that does not read. */
export class BusMessageError extends Error {
  override readonly name = 'BusMessageError';
}

const encodedNames = new Map<string, Buffer>();

/** Room names and node ids in UTF-8, remembered (a relay forwards to the same few again and again), bounded. */
function utf8(name: string): Buffer {
  let bytes = encodedNames.get(name);
  if (bytes === undefined) {
    if (encodedNames.size >= 4096) encodedNames.clear();
    bytes = Buffer.from(name, 'utf8');
    encodedNames.set(name, bytes);
  }
  return bytes;
}

export function encodeFrame(room: string, to: NodeId, frame: Uint8Array): Buffer {
  const roomBytes = utf8(room);
  const toBytes = utf8(to);
  const out = Buffer.allocUnsafe(3 + roomBytes.length + toBytes.length + frame.length);
  out[0] = BusKind.frame;
  out[1] = roomBytes.length;
  roomBytes.copy(out, 2);
  let at = 2 + roomBytes.length;
  out[at++] = toBytes.length;
  toBytes.copy(out, at);
  out.set(frame, at + toBytes.length);
  return out;
}

export function encodeProbe(request: ProbeRequest): Buffer {
  return Buffer.concat([Uint8Array.of(BusKind.probe), Buffer.from(JSON.stringify(request))]);
}

export function encodeProbeReply(reply: ProbeReply): Buffer {
  return Buffer.concat([Uint8Array.of(BusKind.probeReply), Buffer.from(JSON.stringify(reply))]);
}

/** Reads a message from a relay's channel; throws {@link BusMessageError} when it does not read. */
export function decodeBusMessage(bytes: Buffer): BusMessage {
  const kind = bytes[0];
  if (kind === BusKind.frame) {
    const roomEnd = 2 + (bytes[1] ?? 0);
    const toEnd = roomEnd + 1 + (bytes[roomEnd] ?? 0);
    if (bytes.length < 2 || toEnd > bytes.length) throw new BusMessageError('frame message truncated');
    return { kind, room: bytes.toString('utf8', 2, roomEnd), to: bytes.toString('utf8', roomEnd + 1, toEnd), frame: bytes.subarray(toEnd) };
  }
  if (kind !== BusKind.probe && kind !== BusKind.probeReply) throw new BusMessageError(`unknown message kind ${String(kind)}`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(bytes.toString('utf8', 1)) as Record<string, unknown>;
  } catch {
    throw new BusMessageError('probe message is not JSON');
  }
  if (typeof body !== 'object' || body === null || typeof body.id !== 'number') throw new BusMessageError('probe message without an id');
  if (kind === BusKind.probeReply) {
    if (typeof body.answered !== 'boolean') throw new BusMessageError('probe reply without an answer');
    return { kind, reply: { id: body.id, answered: body.answered } };
  }
  const { room, node, from } = body;
  if (typeof room !== 'string' || typeof node !== 'string' || typeof from !== 'string') throw new BusMessageError('probe without room, node or sender');
  return { kind, request: { id: body.id, room, node, from } };
}

/** Reads a change announced on a room's channel; throws {@link BusMessageError} when it does not read. */
export function decodeRoomEvent(text: string): RoomEvent {
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  const third = text.indexOf('\n', second + 1);
  const kind = text.slice(0, first);
  const version = Number(text.slice(first + 1, second));
  if (first < 0 || second < 0 || third < 0 || (kind !== 'j' && kind !== 'l') || !Number.isSafeInteger(version)) {
    throw new BusMessageError('room change does not read');
  }
  return { kind: kind === 'j' ? 'join' : 'leave', version, relay: text.slice(second + 1, third), node: text.slice(third + 1) };
}
