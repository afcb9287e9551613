import type { HeldBytes } from './budget.ts';

/** Counters the relay keeps; every refused connection, dropped connection and dropped frame is counted by cause. */
export interface RelayStats {
  /** Open WebSocket connections, admitted or being closed. */
  connections: number;
  rooms: number;
  members: number;
  /** Fault tables held: one per room, per room with rules, per name given to `faults()`. */
  faultTables: number;
  /** The relay process's memory, and the budget it keeps to. */
  memory: {
    rssBytes: number;
    heapUsedBytes: number;
    /** `maxMemoryBytes`. */
    budgetBytes: number;
    /** What the budget counts now: the process at start plus everything held below. */
    usedBytes: number;
    /** Held for clients, by kind: per-connection cost, partly received messages, queues to receivers, delayed frames, frames on their way to other relays. */
    held: HeldBytes;
  };
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
    /** The frame would have taken the relay over `maxMemoryBytes`. */
    overBudget: number;
  };
  /** Times a member's socket was paused for sending over `maxBytesPerSecond`. */
  throttled: number;
  /** Keepalive requests answered, and those merged: not answered because bytes for the client were queued or a reply had just gone. */
  keepalives: { answered: number; merged: number };
  /** Connections and frames refused, by cause. */
  rejected: {
    badRequest: number;
    unauthorized: number;
    forbiddenOrigin: number;
    tooManyRooms: number;
    roomFull: number;
    tooManyConnections: number;
    /** `maxConnectionsPerAddress` reached (4103). */
    addressLimit: number;
    /** Handshakes over `maxHandshakesPerSecondPerAddress`, answered with HTTP 429. */
    handshakeRate: number;
    /** No room left in the memory budget for another connection (4105). */
    overloaded: number;
    /** The relay is not attached to Redis (4108). */
    clusterUnavailable: number;
    /** A live connection held the node id (4106). */
    nodeIdInUse: number;
    /** Frames larger than `maxFrameBytes` (the connection is closed with 1009). */
    oversized: number;
    /** Text frames, unreadable envelopes, or kinds a client may not send. */
    malformed: number;
  };
  /** Admitted connections the relay dropped, by cause. */
  disconnected: {
    /** Replaced by a newer connection for the same node id after missing the takeover ping (4009). */
    replaced: number;
    /** Queue over `maxBufferedBytes` for `stallTimeoutMs` (4104). */
    slowConsumer: number;
    /** A message incomplete for `stallTimeoutMs` (4107). */
    slowSender: number;
    /** Dropped to bring the relay back under its memory budget (4105). */
    overBudget: number;
    /** Missed a ping. */
    unresponsive: number;
    /** Closed when the relay lost Redis (4108). */
    clusterUnavailable: number;
  };
  /** With `redis`: the relay's part in the cluster of relays sharing rooms. */
  cluster?: ClusterStats;
}

/** A relay's traffic with the other relays of its cluster, through Redis. */
export interface ClusterStats {
  /** This relay's id in the cluster (a new one each time it attaches). */
  relayId: string;
  /** Attached to Redis with a live lease: admitting clients and sharing rooms. */
  attached: boolean;
  /** Times the relay lost Redis and closed its clients (4108). */
  detachments: number;
  /** Frames sent to members of other relays, and received for members here. */
  framesOut: number;
  bytesOut: number;
  framesIn: number;
  bytesIn: number;
  /** Members of other relays in the rooms that have members here. */
  remoteMembers: number;
  /** Frames for members of other relays not sent, by cause. */
  dropped: {
    /** More than 16 MiB sent to Redis and not yet acknowledged. */
    backpressure: number;
    /** The relay was not attached to Redis. */
    detached: number;
    /** Published, but no relay listened on the receiver's relay channel (that relay is gone). */
    noRelay: number;
  };
  /** Node id takeover probes sent to other relays, and those the holder answered. */
  probes: { asked: number; answered: number };
  /** Messages from other relays or Redis that did not read. */
  malformed: number;
}

export function emptyClusterStats(): ClusterStats {
  return {
    relayId: '',
    attached: false,
    detachments: 0,
    framesOut: 0,
    bytesOut: 0,
    framesIn: 0,
    bytesIn: 0,
    remoteMembers: 0,
    dropped: { backpressure: 0, detached: 0, noRelay: 0 },
    probes: { asked: 0, answered: 0 },
    malformed: 0,
  };
}

export function emptyStats(): RelayStats {
  return {
    connections: 0,
    rooms: 0,
    members: 0,
    faultTables: 0,
    memory: { rssBytes: 0, heapUsedBytes: 0, budgetBytes: 0, usedBytes: 0, held: { connections: 0, incoming: 0, queued: 0, delayed: 0, cluster: 0 } },
    framesForwarded: 0,
    bytesForwarded: 0,
    dropped: { backpressure: 0, rateLimited: 0, unknownPeer: 0, fault: 0, delayQueueFull: 0, overBudget: 0 },
    throttled: 0,
    keepalives: { answered: 0, merged: 0 },
    rejected: {
      badRequest: 0,
      unauthorized: 0,
      forbiddenOrigin: 0,
      tooManyRooms: 0,
      roomFull: 0,
      tooManyConnections: 0,
      addressLimit: 0,
      handshakeRate: 0,
      overloaded: 0,
      clusterUnavailable: 0,
      nodeIdInUse: 0,
      oversized: 0,
      malformed: 0,
    },
    disconnected: { replaced: 0, slowConsumer: 0, slowSender: 0, overBudget: 0, unresponsive: 0, clusterUnavailable: 0 },
  };
}
