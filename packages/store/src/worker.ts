/**
 * The Worker a tab store runs its nodes in (`createTabStore`'s default `worker`). Bundlers that
 * want the Worker's entry by name can start this module themselves, e.g. Vite's
 * `import StoreWorker from '@webraft/store/worker?worker'` and `worker: () => new StoreWorker()`.
 */
import type { Port } from './tab/protocol.ts';
import { serveTabHost } from './tab/host.ts';

serveTabHost(globalThis as unknown as Port);
