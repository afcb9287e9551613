/** Counters the relay keeps; every refused connection and every dropped frame is counted by cause. */
export interface RelayStats {
  /** Open WebSocket connections, admitted or being closed. */
  connections: number;
  rooms: number;
  members: number;
  /** The relay process's memory, for watching that it stays bounded. */
  memory: { rssBytes: number; heapUsedBytes: number };
  framesForwarded: number;
  bytesForwarded: number;
  /** Frames not delivered, by cause. */
  dropped: {
    /** The receiver's send buffer was above `maxBufferedBytes`. */
    backpressure: number;
    /** The sender exceeded `maxFramesPerSecond`. */
    rateLimited: number;
    /** The addressee is not (or no longer) in the room. */
    unknownPeer: number;
    /** Dropped or cut by fault injection. */
    fault: number;
    /** More than `maxDelayedFrames` frames were held back by delay faults. */
    delayQueueFull: number;
  };
  /** Connections and frames refused, by cause. */
  rejected: {
    badRequest: number;
    unauthorized: number;
    forbiddenOrigin: number;
    tooManyRooms: number;
    roomFull: number;
    tooManyConnections: number;
    /** Frames larger than `maxFrameBytes` (the connection is closed with 1009). */
    oversized: number;
    /** Text frames, unreadable envelopes, or kinds a client may not send. */
    malformed: number;
  };
}

export function emptyStats(): RelayStats {
  return {
    connections: 0,
    rooms: 0,
    members: 0,
    memory: { rssBytes: 0, heapUsedBytes: 0 },
    framesForwarded: 0,
    bytesForwarded: 0,
    dropped: { backpressure: 0, rateLimited: 0, unknownPeer: 0, fault: 0, delayQueueFull: 0 },
    rejected: {
      badRequest: 0,
      unauthorized: 0,
      forbiddenOrigin: 0,
      tooManyRooms: 0,
      roomFull: 0,
      tooManyConnections: 0,
      oversized: 0,
      malformed: 0,
    },
  };
}
