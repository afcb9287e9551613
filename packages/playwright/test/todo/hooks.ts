// The test build's first module: the fault hooks, in place before the app opens a channel or a Worker.
import { installTestHooks } from '@webraft/playwright/page';

export const hooks = installTestHooks();
