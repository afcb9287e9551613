/** `webraft inspect`: a log export as text a person can read. */
import { describeEntry, type EntryDescription, type LogExport } from '@webraft/core/log-export';

/** Longest command text in the table; the rest is cut with an ellipsis. */
const maxCommandChars = 100;

export function formatLogExport(log: LogExport): string {
  const lines: string[] = [];
  const { term, vote, commit } = log.hardState;
  lines.push(`hard state: term ${term}, vote ${vote === '' ? '(none)' : vote}, commit ${commit}`);
  if (log.snapshot) {
    const { index, term: snapTerm, conf } = log.snapshot.meta;
    lines.push(`snapshot: index ${index}, term ${snapTerm}, ${log.snapshot.data.length} bytes`);
    lines.push(`  voters ${list(conf.voters)}, learners ${list(conf.learners)}` +
      (conf.votersOutgoing.length > 0 ? `, outgoing voters ${list(conf.votersOutgoing)} (joint)` : ''));
  } else {
    lines.push('snapshot: none');
  }
  const first = log.entries[0]?.index;
  const last = log.entries.at(-1)?.index;
  lines.push(first === undefined ? 'entries: none' : `entries: ${log.entries.length} (${first}..${last})`);
  if (log.entries.length === 0) return `${lines.join('\n')}\n`;
  const rows = log.entries.map((e) => [String(e.index), String(e.term), e.type, e.index <= commit ? '' : 'uncommitted', describe(describeEntry(e))]);
  const header = ['index', 'term', 'type', '', 'content'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (row: string[]) => row.map((cell, i) => (i < 2 ? cell.padStart(widths[i]!) : i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  lines.push(render(header));
  for (const row of rows) lines.push(render(row));
  return `${lines.join('\n')}\n`;
}

function describe(d: EntryDescription): string {
  switch (d.kind) {
    case 'noop':
      return '(leader no-op)';
    case 'register':
      return '(open client session)';
    case 'config': {
      // A change that changes nothing but records a configuration: the founders', as the
      // first leader wrote it, so that a node replaying the log from its start learns it.
      if (d.change.changes.length === 0 && d.configuration !== undefined) {
        return `(configuration recorded: voters ${list(d.configuration.voters)}, learners ${list(d.configuration.learners)})`;
      }
      return `${d.change.transition}: ${d.change.changes.map((c) => `${c.type} ${c.id}`).join(', ') || '(leave joint)'}`;
    }
    case 'undecodable':
      return `(not readable: ${d.reason})`;
    case 'commands':
      return d.commands
        .map((c) => {
          const text = c.error !== undefined ? `(command not readable: ${c.error})` : c.command === undefined ? '(empty)' : JSON.stringify(c.command);
          const session = c.session ? ` [session ${c.session.clientId}#${c.session.seq}]` : '';
          return cut(text) + session;
        })
        .join(' | ');
  }
}

function cut(text: string): string {
  return text.length <= maxCommandChars ? text : `${text.slice(0, maxCommandChars - 1)}…`;
}

function list(ids: readonly string[]): string {
  return ids.length === 0 ? '(none)' : ids.join(' ');
}
