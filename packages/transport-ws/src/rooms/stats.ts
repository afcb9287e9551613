import { CloseCode } from '../protocol.ts';

/** Counters of a relay whose rooms run on a standard WebSocket: every refusal, drop and disconnection by cause. */
export interface RoomRelayStats {
  /** When these counters started: the process started, or the Durable Object woke (they do not survive hibernation). */
  since: number;
  /** Connections held: in a room, or on their way in. */
  connections: number;
  rooms: number;
  members: number;
  framesForwarded: number;
  bytesForwarded: number;
  /** Frames not delivered, by cause. */
  dropped: {
    /** The receiver's queue held more than `maxBufferedBytes`. */
    backpressure: number;
    /** The sender exceeded `maxFramesPerSecond` or `maxBytesPerSecond`. */
    rateLimited: number;
    /** The addressee is not (or no longer) in the room. */
    unknownPeer: number;
  };
  /** Keepalive requests answered, and those merged: not answered because bytes for the client were queued or a reply had just gone. */
  keepalives: { answered: number; merged: number };
  /** Connections and frames refused, by cause. */
  rejected: {
    badRequest: number;
    unauthorized: number;
    forbiddenOrigin: number;
    tooManyRooms: number;
    roomFull: number;
    /** A live connection held the node id (4106). */
    nodeIdInUse: number;
    /** Frames larger than `maxFrameBytes` (the connection is closed with 1009). */
    oversized: number;
    /** Text frames, unreadable envelopes, or kinds a client may not send. */
    malformed: number;
  };
  /** Members the relay disconnected, by cause. */
  disconnected: {
    /** Replaced by a newer connection for the same node id after showing no sign of life (4009). */
    replaced: number;
  };
}

export function emptyRoomRelayStats(since: number): RoomRelayStats {
  return {
    since,
    connections: 0,
    rooms: 0,
    members: 0,
    framesForwarded: 0,
    bytesForwarded: 0,
    dropped: { backpressure: 0, rateLimited: 0, unknownPeer: 0 },
    keepalives: { answered: 0, merged: 0 },
    rejected: { badRequest: 0, unauthorized: 0, forbiddenOrigin: 0, tooManyRooms: 0, roomFull: 0, nodeIdInUse: 0, oversized: 0, malformed: 0 },
    disconnected: { replaced: 0 },
  };
}

/** Counts a refusal under its close code's name; codes without a counter are not counted. */
export function countRefusal(rejected: RoomRelayStats['rejected'], code: number): void {
  const name = refusalNames.get(code);
  if (name !== undefined) rejected[name]++;
}

const refusalNames = new Map<number, keyof RoomRelayStats['rejected']>([
  [CloseCode.badRequest, 'badRequest'],
  [CloseCode.unauthorized, 'unauthorized'],
  [CloseCode.forbiddenOrigin, 'forbiddenOrigin'],
  [CloseCode.tooManyRooms, 'tooManyRooms'],
  [CloseCode.roomFull, 'roomFull'],
  [CloseCode.nodeIdInUse, 'nodeIdInUse'],
]);
