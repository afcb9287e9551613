/**
 * A Chromium of its own, as a process this test owns, with a profile on disk: killing it
 * (SIGKILL) is a real browser crash, and launching it again on the same profile finds what
 * IndexedDB made durable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../../../tools/chromium.mjs';

export class ProcessBrowser {
  private constructor(
    private readonly child: ChildProcess,
    readonly browser: Browser,
    readonly context: BrowserContext,
  ) {}

  static async launch(profileDir: string): Promise<ProcessBrowser> {
    const args = [...chromiumArgs, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, 'about:blank'];
    const child = spawn(chromiumPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m !== null) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`chromium exited with ${code}: ${err.slice(-500)}`)));
    });
    child.stderr!.resume();
    const browser = await chromium.connectOverCDP(endpoint);
    return new ProcessBrowser(child, browser, browser.contexts()[0]!);
  }

  /** Kills the whole browser at once: no unload, no flush, no goodbye. */
  async crash(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) await this.crash();
  }
}
