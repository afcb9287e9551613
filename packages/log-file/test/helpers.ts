import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '@webraft/core';
import { sampleConfState } from '@webraft/core/testing';

/** A fresh temporary directory; removed by `cleanup`. */
export function scratchDirectory(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `log-file-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Entries first..last of `term`, each `bytes` long with content derived from its index. */
export function entries(first: number, last: number, term: number, bytes = 100): Entry[] {
  const out: Entry[] = [];
  for (let index = first; index <= last; index++) {
    const data = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) data[i] = (index * 7 + i * 13 + 1) & 0xff;
    out.push({ index, term, type: 'normal', data });
  }
  return out;
}

export function snapshot(index: number, term: number, fill = 5) {
  return { meta: { index, term, conf: sampleConfState }, data: new Uint8Array(300).fill(fill) };
}
