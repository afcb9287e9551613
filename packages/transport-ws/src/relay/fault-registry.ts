/**
 * The relay's fault tables, one per room name. A table lives while its room does, while it
 * has rules, or once the application asked for it by name (`relay.faults(room)`: it may hold
 * on to it and set rules later). Tables the relay made only because a room existed go with
 * the room, so a stream of made-up room names leaves nothing behind.
 */
import { FaultTable } from '../faults.ts';

export class FaultRegistry {
  readonly #tables = new Map<string, FaultTable>();
  /** Tables handed to the application, kept for good. */
  readonly #kept = new WeakSet<FaultTable>();

  constructor(private readonly random: () => number) {}

  /** Tables held now (for tests of the registry's own bound). */
  get size(): number {
    return this.#tables.size;
  }

  /** The table of `room`, made if needed; the application's: kept for good. */
  keep(room: string): FaultTable {
    const table = this.table(room);
    this.#kept.add(table);
    return table;
  }

  /** The table of `room`, made if needed. */
  table(room: string): FaultTable {
    let table = this.#tables.get(room);
    if (table === undefined) {
      table = new FaultTable(this.random);
      this.#tables.set(room, table);
    }
    return table;
  }

  /** The table of `room` if there is one. */
  peek(room: string): FaultTable | undefined {
    return this.#tables.get(room);
  }

  /** Forgets the table of `room`, which has no members now, unless it has rules or was handed out. */
  release(room: string): void {
    const table = this.#tables.get(room);
    if (table !== undefined && table.list().length === 0 && !this.#kept.has(table)) this.#tables.delete(room);
  }
}
