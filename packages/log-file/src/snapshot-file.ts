/**
 * Snapshot files: `snapshot-<seq>.snap`, written to a temporary name, synced, renamed into
 * place, and the directory synced, before any record refers to them. Layout: magic, format
 * version, meta length, sequence number, meta (JSON), the state machine's bytes, and a
 * CRC-32C of everything before it.
 */
import type { Snapshot } from '@webraft/core';
import { crc32c } from './crc32c.ts';
import { CorruptLogError } from './errors.ts';
import type { LogFileSystem } from './file-system.ts';
import { FORMAT_VERSION, hasMagic, readU64, SNAPSHOT_MAGIC, snapshotFile, writeMagic, writeU64 } from './format.ts';
import type { SnapshotRef } from './codec.ts';

const HEADER_BYTES = 24;
const encoder = new TextEncoder();

/** Writes `snapshot` durably as file number `seq` and returns the reference a record stores. */
export async function writeSnapshotFile(fs: LogFileSystem, dir: string, seq: number, snapshot: Snapshot): Promise<SnapshotRef> {
  const meta = encoder.encode(JSON.stringify(snapshot.meta));
  const header = new Uint8Array(HEADER_BYTES + meta.length);
  const view = new DataView(header.buffer);
  writeMagic(header, 0, SNAPSHOT_MAGIC);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, meta.length, true);
  writeU64(view, 16, seq);
  header.set(meta, HEADER_BYTES);
  const crc = crc32c(snapshot.data, crc32c(header));
  const trailer = new Uint8Array(4);
  new DataView(trailer.buffer).setUint32(0, crc, true);

  const name = snapshotFile(seq);
  const temporary = `${dir}/${name}.tmp`;
  await fs.remove(temporary).catch(ignoreMissing);
  const file = await fs.create(temporary);
  try {
    await file.write(header, 0);
    await file.write(snapshot.data, header.length);
    await file.write(trailer, header.length + snapshot.data.length);
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(temporary, `${dir}/${name}`);
  await fs.syncDirectory(dir);
  return { seq, meta: snapshot.meta, dataLength: snapshot.data.length, crc };
}

/** Reads the snapshot `ref` names and checks it is exactly the file that was referenced. */
export async function readSnapshotFile(fs: LogFileSystem, dir: string, ref: SnapshotRef): Promise<Snapshot> {
  const name = snapshotFile(ref.seq);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(`${dir}/${name}`);
  } catch (error) {
    throw new CorruptLogError(name, 0, `the snapshot file the log refers to cannot be read (${(error as Error).message})`);
  }
  const fail = (offset: number, detail: string): never => {
    throw new CorruptLogError(name, offset, detail);
  };
  if (bytes.length < HEADER_BYTES + 4 || !hasMagic(bytes, 0, SNAPSHOT_MAGIC)) fail(0, 'not a snapshot file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) fail(8, `snapshot format version ${version}, this code reads ${FORMAT_VERSION}`);
  const stored = view.getUint32(bytes.length - 4, true);
  if (stored !== crc32c(bytes, 0, 0, bytes.length - 4)) fail(0, 'snapshot checksum mismatch');
  if (stored !== ref.crc) fail(bytes.length - 4, 'not the snapshot file the log refers to (checksum differs)');
  const metaLength = view.getUint32(12, true);
  const dataStart = HEADER_BYTES + metaLength;
  if (readU64(view, 16) !== ref.seq || dataStart + ref.dataLength + 4 !== bytes.length) fail(12, 'snapshot header does not match the log');
  return { meta: ref.meta, data: bytes.subarray(dataStart, dataStart + ref.dataLength) };
}

export function ignoreMissing(error: unknown): void {
  if ((error as { code?: unknown } | null)?.code !== 'ENOENT') throw error;
}
