/**
 * The on-disk layout (README "On-disk format"): file names, the segment header and the frame
 * around every record. Payloads are encoded in codec.ts.
 */
import { crc32c } from './crc32c.ts';

const SEGMENT_MAGIC = 'WRLOGSEG';
export const SNAPSHOT_MAGIC = 'WRLOGSNP';
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 32;
export const FRAME_BYTES = 16;

/** Record kinds. Every segment starts with a checkpoint; batches follow. */
export const CHECKPOINT = 1;
export const BATCH = 2;

export const LOCK_FILE = 'LOCK';
const segmentName = /^segment-([0-9a-f]{16})\.log$/;
const snapshotName = /^snapshot-([0-9a-f]{16})\.snap$/;

const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
export const segmentFile = (seq: number): string => `segment-${hex16(seq)}.log`;
export const snapshotFile = (seq: number): string => `snapshot-${hex16(seq)}.snap`;
export const parseSegmentFile = (name: string): number | undefined => parseSeq(segmentName.exec(name));
export const parseSnapshotFile = (name: string): number | undefined => parseSeq(snapshotName.exec(name));
export const isTemporaryFile = (name: string): boolean => name.endsWith('.tmp');

function parseSeq(match: RegExpExecArray | null): number | undefined {
  if (match === null) return undefined;
  const n = Number.parseInt(match[1]!, 16);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / 0x1_0000_0000), true);
  view.setUint32(at + 4, value >>> 0, true);
}

/** Reads what writeU64 wrote; undefined beyond Number.MAX_SAFE_INTEGER. */
export function readU64(view: DataView, at: number): number | undefined {
  const high = view.getUint32(at, true);
  if (high > 0x1f_ffff) return undefined;
  return high * 0x1_0000_0000 + view.getUint32(at + 4, true);
}

export function writeMagic(bytes: Uint8Array, at: number, magic: string): void {
  for (let i = 0; i < 8; i++) bytes[at + i] = magic.charCodeAt(i);
}

export function hasMagic(bytes: Uint8Array, at: number, magic: string): boolean {
  for (let i = 0; i < 8; i++) if (bytes[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** A segment's first 32 bytes: magic, version, salt, sequence number, checksum. */
export function encodeSegmentHeader(out: Uint8Array, view: DataView, seq: number, salt: number): void {
  writeMagic(out, 0, SEGMENT_MAGIC);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, salt, true);
  writeU64(view, 16, seq);
  view.setUint32(24, 0, true);
  view.setUint32(28, crc32c(out, 0, 0, 28), true);
}

export interface SegmentHeader {
  readonly seq: number;
  readonly salt: number;
}

/** The header of a segment file, or a reason it is not one. */
export function decodeSegmentHeader(bytes: Uint8Array): SegmentHeader | string {
  if (bytes.length < SEGMENT_HEADER_BYTES) return `${bytes.length} bytes, shorter than a segment header`;
  if (!hasMagic(bytes, 0, SEGMENT_MAGIC)) return 'not a segment file (bad magic)';
  const view = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_BYTES);
  if (view.getUint32(28, true) !== crc32c(bytes, 0, 0, 28)) return 'segment header checksum mismatch';
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) return `segment format version ${version}, this code reads ${FORMAT_VERSION}`;
  const seq = readU64(view, 16);
  if (seq === undefined) return 'segment sequence number out of range';
  return { seq, salt: view.getUint32(12, true) };
}

/**
 * Frames the payload already written at `out[at + 16, at + 16 + length)`: length, group,
 * kind, and a CRC-32C seeded with the segment's salt over the frame and the payload, so a
 * record copied from another segment (or another store) never passes as one of this segment.
 */
export function sealFrame(out: Uint8Array, view: DataView, at: number, length: number, group: number, kind: number, salt: number): void {
  view.setUint32(at, length, true);
  view.setUint32(at + 4, group, true);
  view.setUint32(at + 8, kind, true);
  const crc = crc32c(out, crc32c(out, salt, at, at + 12), at + FRAME_BYTES, at + FRAME_BYTES + length);
  view.setUint32(at + 12, crc, true);
}

export interface Frame {
  readonly offset: number;
  readonly kind: number;
  readonly group: number;
  /** Payload bounds in the segment's bytes. */
  readonly start: number;
  readonly end: number;
}

/** The record framed at `at`, if its frame is whole and its checksum matches. */
export function readFrame(bytes: Uint8Array, view: DataView, at: number, salt: number): Frame | undefined {
  if (at + FRAME_BYTES > bytes.length) return undefined;
  const length = view.getUint32(at, true);
  const kind = view.getUint32(at + 8, true);
  if (length === 0 || (kind !== CHECKPOINT && kind !== BATCH)) return undefined;
  const end = at + FRAME_BYTES + length;
  if (end > bytes.length) return undefined;
  const crc = crc32c(bytes, crc32c(bytes, salt, at, at + 12), at + FRAME_BYTES, end);
  if (crc !== view.getUint32(at + 12, true)) return undefined;
  return { offset: at, kind, group: view.getUint32(at + 4, true), start: at + FRAME_BYTES, end };
}

/** Where the frame at `at` would end by its length field (beyond the file for a torn write). */
export function declaredEnd(bytes: Uint8Array, view: DataView, at: number): number {
  if (at + FRAME_BYTES > bytes.length) return Number.POSITIVE_INFINITY;
  return at + FRAME_BYTES + view.getUint32(at, true);
}
