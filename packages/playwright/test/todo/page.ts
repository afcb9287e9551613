// The to-do example's page as a test build: the fault hooks first, then the same main.ts.
import type { NodeStatus } from '@webraft/playwright/page';
import { hooks } from './hooks.ts';
import '../../../../examples/multi-tab-todo/main.ts';

// The runner reads each tab's role, term and commit from the example's own test API.
hooks.watch(() => (globalThis as { todo?: { status(): NodeStatus } }).todo?.status());
