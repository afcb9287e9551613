/** Errors of the runner side, each naming what went wrong. */

/** A page the runner was asked to fault has no `window.__webraft`: its build did not install the hooks. */
export class HooksMissingError extends Error {
  override readonly name = 'HooksMissingError';
  constructor(readonly url: string) {
    super(`the page ${url} has no webraft test hooks: import '@webraft/playwright/install' first in its test build (and '@webraft/playwright/worker' in its Workers)`);
  }
}

/** A page (or one of its Workers) did not adopt the runner's faults in time. */
export class FaultsNotAdoptedError extends Error {
  override readonly name = 'FaultsNotAdoptedError';
  constructor(
    readonly tab: string,
    readonly version: number,
    readonly adopted: number,
  ) {
    super(`tab ${tab} holds faults version ${adopted}, not ${version}: a Worker of it may lack '@webraft/playwright/worker'`);
  }
}

/** `waitForLeader` saw no leader followed by a majority of the tabs in time. */
export class NoLeaderError extends Error {
  override readonly name = 'NoLeaderError';
  constructor(readonly statuses: readonly unknown[]) {
    super(`no tab leads with a majority following it: ${JSON.stringify(statuses)}`);
  }
}

/** `hide` could not hide a tab: the browser keeps it visible. */
export class TabNotHiddenError extends Error {
  override readonly name = 'TabNotHiddenError';
  constructor() {
    super("the tab stayed visible: a browser from chromium.launch() never hides tabs; use launchChromium() of '@webraft/playwright'");
  }
}

/** A fault setting out of range (a rate outside 0..1, a negative delay, a page in two groups). */
export class FaultOptionsError extends Error {
  override readonly name = 'FaultOptionsError';
}

/** `launchChromium` could not start Chromium or reach its DevTools port. */
export class ChromiumLaunchError extends Error {
  override readonly name = 'ChromiumLaunchError';
}
