import type { RemoteError } from './protocol.ts';

/** An option of `createTabStore` cannot be used; `option` names it. */
export class TabStoreOptionsError extends TypeError {
  override readonly name = 'TabStoreOptionsError';
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`createTabStore: ${option} ${problem}`);
  }
}

/**
 * A request failed in the store's host (the Worker). `name` is the name of the node's error —
 * `TimeoutError`, `NotLeaderError`, `StoppedError`, `JsonCodecError`... — so callers can tell
 * them apart as with `@webraft/core`; after a timeout the command may still be applied.
 */
export class TabStoreRequestError extends Error {
  override readonly name: string;
  constructor(remote: RemoteError) {
    super(remote.message);
    this.name = remote.name;
  }
}

/** The store was closed (`close()`): nothing more is dispatched or read through it. */
export class TabStoreClosedError extends Error {
  override readonly name = 'TabStoreClosedError';
  constructor() {
    super('the tab store is closed');
  }
}
