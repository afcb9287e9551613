/** Helpers for the teaching page's browser tests. */
import type { Page } from 'playwright-core';
import type { Harness } from './harness.ts';
import { watchErrors } from './harness.ts';

export interface OpenOptions {
  readonly width?: number;
  readonly height?: number;
  readonly colorScheme?: 'light' | 'dark';
}

export async function openTeach(h: Harness, hash: string, options: OpenOptions = {}): Promise<{ page: Page; errors: string[] }> {
  // A context of its own (axe-core needs one that is not the browser's implicit context), closed with the page.
  const context = await h.browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 950 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  // When the browser closes first, the context is gone with it and closing it again fails.
  page.once('close', () => void context.close().catch(() => undefined));
  const errors = watchErrors(page, 'teach');
  await page.goto(`${h.url}${hash}`);
  await page.waitForSelector('#cluster g.node');
  await waitSimulated(page);
  return { page, errors };
}

/** Waits until no operation of the learner is being simulated (loading, acting, replaying, a new step). */
export async function waitSimulated(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.busy === 'false', undefined, { timeout });
}

export async function waitIdle(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.playing === 'false' && document.body.dataset.busy === 'false', undefined, { timeout });
}

export async function clockMs(page: Page): Promise<number> {
  return Math.round(Number((await page.textContent('#clock'))!.replace(' s', '')) * 1000);
}

/** Moves the time slider to `t` as a learner dragging it would. */
export async function scrubTo(page: Page, t: number): Promise<void> {
  await page.$eval(
    '#scrub',
    (el: HTMLInputElement, value: number) => {
      el.value = String(value);
      el.dispatchEvent(new Event('input'));
    },
    t,
  );
}

/** The hash's recorded actions, as their URL text. */
export function actionsOf(hash: string): string[] {
  const text = new URLSearchParams(hash.replace(/^#/, '').replaceAll('+', '%2B')).get('actions') ?? '';
  return text === '' ? [] : text.split('~');
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Screen boxes of the servers' bodies, of their text labels and of the messages in flight. */
export async function boxes(page: Page): Promise<{ bodies: (Box & { id: string })[]; labels: (Box & { id: string; text: string })[]; messages: (Box & { id: string })[] }> {
  return page.evaluate(() => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const nodeOf = (el: Element) => el.closest<SVGGElement>('[data-node]')!.dataset.node!;
    return {
      bodies: [...document.querySelectorAll('#cluster g.node circle.timer-track')].map((el) => ({ id: nodeOf(el), ...box(el) })),
      labels: [...document.querySelectorAll('#cluster g.node text.node-role, #cluster g.node text.node-vote')].map((el) => ({ id: nodeOf(el), text: el.textContent ?? '', ...box(el) })),
      messages: [...document.querySelectorAll<SVGGElement>('#cluster g.message')].map((el) => ({ id: el.dataset.msg!, ...box(el.querySelector('circle:last-of-type') ?? el) })),
    };
  });
}
