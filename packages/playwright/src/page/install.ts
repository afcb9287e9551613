/**
 * `@webraft/playwright/install`: installs the page's fault hooks as a side effect. Import it
 * first in a test build's entry (`import '@webraft/playwright/install'; import './main.ts';`),
 * so the hooks are in place before the app opens a channel or starts a Worker.
 */
import { installTestHooks } from './index.ts';

// Only in a page: imported in Node or a Worker it changes nothing.
if (typeof window !== 'undefined' && typeof document !== 'undefined') installTestHooks();
