/**
 * A Chromium that can hide tabs for real. `chromium.launch()` passes switches that keep
 * background pages running at full speed and never hides a tab; this one is started as a
 * process of its own (a temporary profile, none of those switches) and attached over CDP with
 * `noDefaults`, so a page brought behind another is `hidden` and its timers are throttled as
 * a user's would be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ChromiumLaunchError, TabNotHiddenError } from './errors.ts';

export interface LaunchChromiumOptions {
  /** @default playwright-core's Chromium (`chromium.executablePath()`) */
  readonly executablePath?: string;
  /** Extra command-line switches, e.g. `--no-sandbox`. @default [] */
  readonly args?: readonly string[];
  /** @default true */
  readonly headless?: boolean;
  /** How long Chromium may take to open its DevTools port. @default 20000 */
  readonly timeoutMs?: number;
  /**
   * The profile folder, kept after `close()` so a relaunch on it finds what IndexedDB made
   * durable. @default a temporary folder, removed by `close()`
   */
  readonly userDataDir?: string;
}

export interface HidableChromium {
  readonly browser: Browser;
  /** The browser's default context: its pages share storage, Web Locks and BroadcastChannels. */
  readonly context: BrowserContext;
  /** Kills the browser at once (SIGKILL: no unload, as a crash) and removes a temporary profile. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<HidableChromium> {
  const profile = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'webraft-playwright-'));
  const args = [...(options.args ?? []), ...(options.headless === false ? [] : ['--headless']), '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'];
  const portFile = join(profile, 'DevToolsActivePort');
  // A profile used before holds the port of its last run.
  rmSync(portFile, { force: true });
  // Its own process group: a kill takes the renderers and helpers too, which would otherwise go
  // on writing into the profile while it is removed or reopened.
  const child = spawn(options.executablePath ?? chromium.executablePath(), args, { stdio: 'ignore', detached: true });
  const kill = () => killGroup(child);
  // A runner that dies must not leave its browser behind.
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      kill();
      await exited;
    }
    process.off('exit', kill);
    if (options.userDataDir === undefined) rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    let lines: string[] = [];
    while (lines.length < 2) {
      if (child.exitCode !== null) throw new ChromiumLaunchError(`chromium exited with ${child.exitCode} before opening its DevTools port`);
      if (Date.now() > deadline) throw new ChromiumLaunchError('chromium did not open its DevTools port in time');
      await sleep(50);
      try {
        lines = readFileSync(portFile, 'utf8').trim().split('\n');
      } catch {
        lines = [];
      }
    }
    const browser = await chromium.connectOverCDP(`ws://127.0.0.1:${lines[0]}${lines[1]}`, { noDefaults: true });
    return { browser, context: browser.contexts()[0]!, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Hides `page` for real by bringing another tab of its context to the front (one is opened if
 * there is none); resolves once the page reports `document.visibilityState === 'hidden'`.
 * Returns the tab in front: `show(page)` (or closing it) brings `page` back.
 */
export async function hide(page: Page, timeoutMs = 5000): Promise<Page> {
  const context = page.context();
  const cover = context.pages().find((p) => p !== page && !p.isClosed()) ?? (await context.newPage());
  await cover.bringToFront();
  try {
    await page.waitForFunction(() => document.visibilityState === 'hidden', undefined, { timeout: timeoutMs, polling: 100 });
  } catch {
    throw new TabNotHiddenError();
  }
  return cover;
}

/** Brings `page` to the front again; resolves once it is visible. */
export async function show(page: Page, timeoutMs = 5000): Promise<void> {
  await page.bringToFront();
  await page.waitForFunction(() => document.visibilityState === 'visible', undefined, { timeout: timeoutMs, polling: 100 });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
