/**
 * A priority queue of timed events. Ties in time are broken by insertion order, so the
 * processing order never depends on anything but the sequence of pushes.
 */
interface Slot<T> {
  readonly at: number;
  readonly order: number;
  readonly value: T;
}

export class EventQueue<T> {
  private readonly heap: Slot<T>[] = [];
  private pushes = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, value: T): void {
    const heap = this.heap;
    heap.push({ at, order: this.pushes++, value });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Slot<T>, heap[parent] as Slot<T>)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  pop(): { at: number; value: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as Slot<T>;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as Slot<T>, heap[m] as Slot<T>)) m = l;
        if (r < heap.length && before(heap[r] as Slot<T>, heap[m] as Slot<T>)) m = r;
        if (m === i) break;
        swap(heap, i, m);
        i = m;
      }
    }
    return { at: top.at, value: top.value };
  }

  /** Every pending event, in no particular order (for views). */
  values(): T[] {
    return this.heap.map((s) => s.value);
  }
}

function before<T>(x: Slot<T>, y: Slot<T>): boolean {
  return x.at < y.at || (x.at === y.at && x.order < y.order);
}

function swap<T>(heap: Slot<T>[], i: number, j: number): void {
  const tmp = heap[i] as Slot<T>;
  heap[i] = heap[j] as Slot<T>;
  heap[j] = tmp;
}
