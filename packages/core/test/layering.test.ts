import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The core's layers, each importing only from those below it: the pure state machine at the
 * bottom, then the wire format, then storage and transport, then the RaftNode driver;
 * `testing` (conformance suites) may use them all.
 */
const below: Record<string, readonly string[]> = {
  raft: [],
  codec: ['raft'],
  storage: ['raft'],
  transport: ['raft', 'codec'],
  node: ['raft', 'codec', 'storage', 'transport'],
  testing: ['raft', 'codec', 'storage', 'transport', 'node'],
};

const src = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(join(src, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

describe('layering of @webraft/core', () => {
  for (const [layer, allowed] of Object.entries(below)) {
    it(`${layer}/ imports only from ${allowed.length === 0 ? 'itself' : allowed.join(', ')}`, () => {
      const upward: string[] = [];
      for (const file of sources(layer)) {
        const text = readFileSync(join(src, file), 'utf8');
        for (const [, target] of text.matchAll(/from '\.\.\/(?:\.\.\/)*([a-z-]+)\//g)) {
          if (!allowed.includes(target!)) upward.push(`${file} imports from ${target}/`);
        }
      }
      expect(upward).toEqual([]);
    });
  }
});
