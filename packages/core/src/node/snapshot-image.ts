/**
 * A RaftNode snapshot is the user's state machine image plus the replicated session table,
 * so a node restored from it answers retries exactly like the node that took it.
 * Layout: magic `WRS` + version byte, the session table, then the user's bytes to the end.
 */
import type { SessionTable } from './sessions.ts';

const MAGIC = [0x57, 0x52, 0x53, 0x01] as const;

export class SnapshotImageError extends Error {
  override readonly name = 'SnapshotImageError';
}

export function wrapSnapshot(userData: Uint8Array, sessions: SessionTable): Uint8Array {
  const parts = sessions.encode();
  let size = MAGIC.length + userData.length;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  let pos = MAGIC.length;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  out.set(userData, pos);
  return out;
}

/** Loads the session table from `data` and returns the user's part. */
export function unwrapSnapshot(data: Uint8Array, sessions: SessionTable): Uint8Array {
  for (let i = 0; i < MAGIC.length; i++) {
    if (data[i] !== MAGIC[i]) throw new SnapshotImageError('not a RaftNode snapshot (bad magic or version)');
  }
  try {
    const pos = sessions.decode(data, MAGIC.length);
    return data.subarray(pos);
  } catch (cause) {
    throw new SnapshotImageError('corrupt session table in snapshot', { cause });
  }
}
