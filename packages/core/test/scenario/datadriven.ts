/**
 * A minimal reader and writer for data-driven test scripts (the format of etcd's raft
 * interaction tests):
 *
 * ```
 * # comment lines and blank lines are kept as they are
 * command arg key=value
 * ----
 * expected output
 * ```
 *
 * A block ends at the first blank line after `----`; output therefore never contains a blank
 * line. A command without `----` has no expected output yet (rewrite mode fills it in).
 */

export interface Block {
  /** 1-based line number of the command. */
  readonly line: number;
  readonly command: string;
  /** Expected output lines joined by `\n`; `undefined` when the script has none yet. */
  readonly expected: string | undefined;
}

export type Segment = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'block'; readonly block: Block };

export function parseScript(source: string): Segment[] {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const segments: Segment[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      segments.push({ kind: 'text', text: line });
      i++;
      continue;
    }
    const start = i + 1;
    i++;
    let expected: string | undefined;
    if (lines[i] === '----') {
      i++;
      const out: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
      expected = out.join('\n');
    }
    segments.push({ kind: 'block', block: { line: start, command: line.trim(), expected } });
  }
  return segments;
}

/** Renders segments back to a script, with `outputs` (one per block, in order) as expected output. */
export function renderScript(segments: readonly Segment[], outputs: readonly string[]): string {
  const out: string[] = [];
  let b = 0;
  segments.forEach((s, i) => {
    if (s.kind === 'text') {
      out.push(s.text);
      return;
    }
    out.push(s.block.command, '----', outputs[b++] ?? '');
    const next = segments[i + 1];
    if (next !== undefined && !(next.kind === 'text' && next.text.trim() === '')) out.push('');
  });
  return `${out.join('\n')}\n`;
}
