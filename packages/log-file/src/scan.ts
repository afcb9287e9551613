/**
 * Reading a segment's frames and telling a torn tail from corruption.
 *
 * Each group of writes is one contiguous write followed by one fdatasync, and the next group
 * starts only after that sync. A crash can therefore damage only the last group of the last
 * segment, in two ways: the file ends inside a frame (the write stopped short), or sectors
 * of the group never reached the disk and read back as zeros (from the group's start, the
 * file's end before the write, to the end of that sector, and whole sectors after it).
 * Damage that looks like neither, or that has records of two groups after it, or of one group
 * other than the one its own frame names (a sync completed after the damaged bytes were
 * written, so they were durable), is corruption.
 */
import { CorruptLogError } from './errors.ts';
import { BATCH, CHECKPOINT, declaredEnd, type Frame, FRAME_BYTES, readFrame, SEGMENT_HEADER_BYTES } from './format.ts';

const SECTOR = 512;
/** A frame starts with its payload length, never 0 in a written record. */
const LENGTH_FIELD_BYTES = 4;

export interface ScannedSegment {
  readonly frames: Frame[];
  /** End of the last whole frame: where the next record goes. */
  readonly end: number;
  /** Bytes cut as a torn tail (0: none). */
  readonly tornBytes: number;
}

/**
 * Every frame of a segment. In the last segment (`mayBeTorn`) a torn tail ends the scan;
 * anything else damaged throws CorruptLogError with the offset where the damage starts.
 */
export function scanSegment(bytes: Uint8Array, salt: number, file: string, mayBeTorn: boolean): ScannedSegment {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const frames: Frame[] = [];
  let at = SEGMENT_HEADER_BYTES;
  while (at < bytes.length) {
    const frame = readFrame(bytes, view, at, salt);
    if (frame === undefined) {
      if (mayBeTorn && isTornTail(bytes, view, at, salt)) return { frames, end: at, tornBytes: bytes.length - at };
      throw new CorruptLogError(file, at, describeDamage(bytes, view, at));
    }
    frames.push(frame);
    at = frame.end;
  }
  return { frames, end: at, tornBytes: 0 };
}

function isTornTail(bytes: Uint8Array, view: DataView, at: number, salt: number): boolean {
  const after = framesAfter(bytes, view, at, salt);
  const groups = new Set(after.map((f) => f.group));
  if (groups.size > 1) return false;
  // A damaged record whose frame still names an earlier group than the records after it was
  // synced before they were written.
  if (after.length > 0 && at + FRAME_BYTES <= bytes.length) {
    const kind = view.getUint32(at + 8, true);
    if ((kind === CHECKPOINT || kind === BATCH) && view.getUint32(at + 4, true) !== after[0]!.group) return false;
  }
  const regionEnd = after[0]?.offset ?? bytes.length;
  const shortWrite = after.length === 0 && declaredEnd(bytes, view, at) > bytes.length;
  return shortWrite || hasZeroSector(bytes, at, regionEnd);
}

/** The valid frames after damage at `at`, found by trying every offset, then following the chain. */
function framesAfter(bytes: Uint8Array, view: DataView, at: number, salt: number): Frame[] {
  const found: Frame[] = [];
  let probe = at + 1;
  while (probe < bytes.length) {
    const frame = readFrame(bytes, view, probe, salt);
    if (frame === undefined) {
      probe++;
      continue;
    }
    found.push(frame);
    probe = frame.end;
  }
  return found;
}

/**
 * Whether a sector that was never written overlaps [from, to): the part of a sector inside
 * the damaged region is all zeros. A written record never starts with 16 zero bytes (its frame
 * has a non-zero length and kind), so shorter zero runs, which data may hold, do not count;
 * except where the damaged record itself starts in the last bytes of a sector: zeros over its
 * whole length field there mean that sector never took the write.
 */
function hasZeroSector(bytes: Uint8Array, from: number, to: number): boolean {
  for (let sector = Math.floor(from / SECTOR) * SECTOR; sector < to; sector += SECTOR) {
    const start = Math.max(sector, from);
    const end = Math.min(sector + SECTOR, bytes.length);
    if (end - start < (start === from ? LENGTH_FIELD_BYTES : FRAME_BYTES)) continue;
    let zero = true;
    for (let i = start; i < end && zero; i++) zero = bytes[i] === 0;
    if (zero) return true;
  }
  return false;
}

function describeDamage(bytes: Uint8Array, view: DataView, at: number): string {
  const end = declaredEnd(bytes, view, at);
  if (end > bytes.length) return `record frame runs past the end of the file (${bytes.length} bytes)`;
  return 'record checksum mismatch';
}
