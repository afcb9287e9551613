/** Runs one scenario script and compares (or rewrites) its expected outputs. */
import { parseScript, renderScript } from './datadriven.ts';
import { Cluster } from './harness.ts';

export interface Mismatch {
  readonly line: number;
  readonly command: string;
  readonly expected: string;
  readonly actual: string;
}

export interface ScriptResult {
  readonly mismatches: readonly Mismatch[];
  /** The script with every expected output replaced by what this run produced. */
  readonly rewritten: string;
}

export function runScript(source: string): ScriptResult {
  const segments = parseScript(source);
  const cluster = new Cluster();
  const outputs: string[] = [];
  const mismatches: Mismatch[] = [];
  for (const s of segments) {
    if (s.kind !== 'block') continue;
    const actual = cluster.run(s.block.command);
    outputs.push(actual);
    if (actual !== s.block.expected) {
      mismatches.push({ line: s.block.line, command: s.block.command, expected: s.block.expected ?? '<none>', actual });
    }
  }
  return { mismatches, rewritten: renderScript(segments, outputs) };
}

/** A readable failure message: the first few mismatching blocks, expected then actual. */
export function describeMismatches(file: string, mismatches: readonly Mismatch[], limit = 3): string {
  const parts = mismatches.slice(0, limit).map(
    (m) => `${file}:${m.line}: ${m.command}\n--- expected\n${m.expected}\n--- actual\n${m.actual}`,
  );
  const more = mismatches.length > limit ? `\n(${mismatches.length - limit} more mismatching blocks)` : '';
  return `${parts.join('\n\n') + more}\n(rerun with REWRITE=1 to accept the actual output)`;
}
