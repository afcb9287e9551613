/** A minimal typed event emitter: `on` returns the function that unsubscribes. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(event: never) => void>>();

  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) this.#listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => {
      set.delete(listener as (event: never) => void);
    };
  }

  /** Lets hot paths skip building an event nobody listens to. */
  has(name: keyof Events): boolean {
    if (this.#listeners.size === 0) return false;
    const set = this.#listeners.get(name);
    return set !== undefined && set.size > 0;
  }

  /**
   * Calls every listener; one that throws does not stop the others or the node — its error is
   * handed to `onListenerError`.
   */
  emit<K extends keyof Events>(name: K, event: Events[K], onListenerError: (error: unknown) => void): void {
    const set = this.#listeners.get(name);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        onListenerError(error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
