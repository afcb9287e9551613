/** The `webraft` command. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { describeEntry, parseLogExport } from '@webraft/core/log-export';
import { formatLogExport } from './inspect.ts';
import { runRelay } from './relay.ts';
import { lagOf, queryStatus } from './status/query.ts';
import { formatClusterStatus } from './status/format.ts';
import type { StatusSocketConstructor } from './status/protocol.ts';

const usage = `usage: webraft <command> [arguments]

  relay [flags]                 run a relay (webraft relay --help for its flags)
  inspect <export.json>         print an exported log: hard state, snapshot, entries
      --json                    print the decoded export as JSON instead
  status <relay-url> <room>     role, term, commit, applied and lag of every node
      --token T                 room token for the status room (relays with --token-secret)
      --timeout-ms N            wait this long for answers (default 3000)
      --json                    print the reports as JSON
`;

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'relay':
      return runRelay(rest);
    case 'inspect':
      return inspect(rest, out);
    case 'status':
      return status(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(usage);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function inspect(argv: readonly string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = asUsage(() => parseArgs({ args: [...argv], allowPositionals: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError('inspect takes one export file');
  const log = parseLogExport(await readFile(positionals[0]!, 'utf8'));
  if (!values.json) return out(formatLogExport(log));
  out(`${JSON.stringify({
    hardState: log.hardState,
    snapshot: log.snapshot ? { meta: log.snapshot.meta, bytes: log.snapshot.data.length } : null,
    entries: log.entries.map((e) => ({ index: e.index, term: e.term, type: e.type, content: describeEntry(e) })),
  }, null, 2)}\n`);
}

async function status(argv: readonly string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = asUsage(() =>
    parseArgs({ args: [...argv], allowPositionals: true, options: { json: { type: 'boolean' }, token: { type: 'string' }, 'timeout-ms': { type: 'string' } } }),
  );
  if (positionals.length !== 2) throw new UsageError('status takes a relay URL and a room');
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError('--timeout-ms must be a positive integer');
  const result = await queryStatus({
    url: positionals[0]!,
    room: positionals[1]!,
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    WebSocket: WebSocket as unknown as StatusSocketConstructor,
  });
  if (!values.json) return out(formatClusterStatus(result));
  const nodes = result.nodes.map((node) => ({ ...node, lag: lagOf(node, result.nodes) }));
  out(`${JSON.stringify({ nodes, silent: result.silent }, null, 2)}\n`);
}

function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export { usage };
