// The tab store's Worker as a test build: the hooks first, then the store's own Worker.
import '@webraft/playwright/worker';
import '@webraft/store/worker';
