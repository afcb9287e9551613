/**
 * `@webraft/playwright`: the runner's side of the kit. Drives the fault hooks of pages built
 * with `@webraft/playwright/page` (or `/install`) and `/worker`: partitions, one-way cuts, loss
 * and delay between tabs, crashes and restarts, hidden tabs, leaders, and client histories.
 */
export { TabNetwork } from './network.ts';
export type { Leader, TabNetworkOptions } from './network.ts';
export { hide, launchChromium, show } from './browser.ts';
export type { HidableChromium, LaunchChromiumOptions } from './browser.ts';
export { History } from './history.ts';
export type { RecordOptions } from './history.ts';
export { ChromiumLaunchError, FaultOptionsError, FaultsNotAdoptedError, HooksMissingError, NoLeaderError, TabNotHiddenError } from './errors.ts';
export { noFaults, verdict, isFaultState } from './faults.ts';
export type { FaultState, NodeStatus, PageHooks, TabReport, Verdict } from './faults.ts';
