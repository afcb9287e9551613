/**
 * The state machine of a tab store's node, on the node's side (the Worker). The reducer and
 * the state live on the page, so the Worker needs none of the application's code: this
 * machine numbers every applied command (its `seq`, the same on every replica because every
 * replica applies the same commands in the same order) and hands it to the page, and asks the
 * page for the state when the node takes a snapshot. A dispatch resolves with the seq of its
 * command; the page answers the caller with what its reducer made of that seq.
 *
 * Dispatches are retried when the leader changes (a proposal forwarded to a leader that went
 * away is lost), so each one carries its tab and number: a command applied once is never
 * applied again, and its retries get the seq of its first application (RIFL-style: each tab
 * also says below which number it retries nothing any more, so the table stays small).
 */
import type { StateMachine } from '@webraft/core';

export interface RecorderSink {
  /** Command `seq` was applied (in seq order, one after another). */
  applied(seq: number, command: unknown): void;
  /** The state was replaced by a snapshot's, at `seq`. */
  restored(seq: number, state: Uint8Array): void;
  /** The serialized state after command `seq`. */
  snapshot(seq: number): Promise<Uint8Array>;
}

/** A dispatched command as it travels in the log. */
export interface DispatchEnvelope {
  /** The tab that dispatched it. */
  readonly t: string;
  /** Its number among that tab's dispatches. */
  readonly n: number;
  /** The tab retries no dispatch numbered this or lower. */
  readonly f: number;
  readonly c: unknown;
}

interface TabRecord {
  floor: number;
  /** Dispatch number → the seq it was applied at, for numbers above the floor. */
  readonly applied: Map<number, number>;
  /** Seq of the tab's latest command: a tab silent for long is forgotten. */
  last: number;
}

/** A tab that dispatched nothing for this many commands is forgotten (it closed long ago). */
const FORGET_AFTER = 100_000;
const SEQ_BYTES = 8;

function isEnvelope(command: unknown): command is DispatchEnvelope {
  const e = command as DispatchEnvelope;
  return typeof e === 'object' && e !== null && typeof e.t === 'string' && Number.isSafeInteger(e.n) && Number.isSafeInteger(e.f) && 'c' in e;
}

export class CommandRecorder implements StateMachine<unknown, number> {
  seq = 0;
  #tabs = new Map<string, TabRecord>();

  constructor(private readonly sink: RecorderSink) {}

  /** Returns the command's seq; 0 for a retry of a dispatch its tab gave up on already. */
  apply(entry: unknown): number {
    if (!isEnvelope(entry)) return this.#record(entry);
    let tab = this.#tabs.get(entry.t);
    if (tab === undefined) this.#tabs.set(entry.t, (tab = { floor: 0, applied: new Map(), last: 0 }));
    if (entry.f > tab.floor) {
      tab.floor = entry.f;
      for (const n of tab.applied.keys()) if (n <= tab.floor) tab.applied.delete(n);
    }
    const first = tab.applied.get(entry.n);
    if (first !== undefined) return first;
    if (entry.n <= tab.floor) return 0;
    const seq = this.#record(entry.c);
    tab.applied.set(entry.n, seq);
    tab.last = seq;
    if (seq % 1000 === 0) this.#forget();
    return seq;
  }

  #record(command: unknown): number {
    this.seq++;
    this.sink.applied(this.seq, command);
    return this.seq;
  }

  #forget(): void {
    for (const [id, tab] of this.#tabs) if (this.seq - tab.last > FORGET_AFTER) this.#tabs.delete(id);
  }

  async snapshot(): Promise<Uint8Array> {
    const seq = this.seq;
    const tabs = [...this.#tabs].map(([id, tab]) => [id, tab.floor, tab.last, [...tab.applied]] as const);
    return encodeImage(seq, tabs, await this.sink.snapshot(seq));
  }

  restore(data: Uint8Array): void {
    const { seq, tabs, state } = decodeImage(data);
    this.seq = seq;
    this.#tabs = new Map(tabs.map(([id, floor, last, applied]) => [id, { floor, last, applied: new Map(applied) }]));
    this.sink.restored(seq, state);
  }
}

type TabImage = readonly (readonly [string, number, number, readonly (readonly [number, number])[]])[];

/** A snapshot image: the seq (8 bytes), the length of the dispatch table (4 bytes), the table (JSON), the page's state. */
function encodeImage(seq: number, tabs: TabImage, state: Uint8Array): Uint8Array {
  const table = new TextEncoder().encode(JSON.stringify(tabs));
  const image = new Uint8Array(SEQ_BYTES + 4 + table.length + state.length);
  const view = new DataView(image.buffer);
  view.setFloat64(0, seq);
  view.setUint32(SEQ_BYTES, table.length);
  image.set(table, SEQ_BYTES + 4);
  image.set(state, SEQ_BYTES + 4 + table.length);
  return image;
}

export function decodeImage(image: Uint8Array): { seq: number; tabs: TabImage; state: Uint8Array } {
  if (image.length < SEQ_BYTES + 4) throw new RangeError(`a tab store snapshot needs at least ${SEQ_BYTES + 4} bytes, got ${image.length}`);
  const view = new DataView(image.buffer, image.byteOffset, image.length);
  const seq = view.getFloat64(0);
  const tableBytes = view.getUint32(SEQ_BYTES);
  if (!Number.isSafeInteger(seq) || seq < 0 || SEQ_BYTES + 4 + tableBytes > image.length) throw new RangeError('a tab store snapshot is damaged');
  const tabs = JSON.parse(new TextDecoder().decode(image.subarray(SEQ_BYTES + 4, SEQ_BYTES + 4 + tableBytes))) as TabImage;
  return { seq, tabs, state: image.subarray(SEQ_BYTES + 4 + tableBytes) };
}
