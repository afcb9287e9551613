// workerd: bundled with the scenario texts (the `scenarios` module, made at bundle time) and run
// by `workerd test`, which calls this test handler; a failure makes it exit non-zero. The
// Durable Object LogStore's cases run inside Durable Objects, on their storage, once with the
// key-value backend (`LogStoreSuite`) and once SQLite-backed (`SqliteLogStoreSuite`), and join
// the same report.
import scenarios from 'webraft:scenarios';
import type { DurableObjectStorageLike } from '../../packages/log-durable-object/src/index.ts';
import { durableObjectLogCases } from './durable-object-log.ts';
import { formatReport, reportCases, runSuites, type SuiteReport } from './suites.ts';

interface Namespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(url: string): Promise<Response> };
}

interface Env {
  readonly LOG_STORES: Namespace;
  readonly SQLITE_LOG_STORES: Namespace;
}

export class LogStoreSuite {
  protected readonly backend: string = 'key-value storage';

  constructor(private readonly state: { readonly storage: DurableObjectStorageLike }) {}

  async fetch(): Promise<Response> {
    return Response.json(await reportCases(durableObjectLogCases(this.state.storage, this.backend), []));
  }
}

export class SqliteLogStoreSuite extends LogStoreSuite {
  protected override readonly backend: string = 'SQLite-backed storage';
}

async function runIn(namespace: Namespace): Promise<SuiteReport> {
  const response = await namespace.get(namespace.idFromName('conformance')).fetch('https://suite.invalid/run');
  return (await response.json()) as SuiteReport;
}

export default {
  async test(_controller: unknown, env: Env): Promise<void> {
    const reports = [await runSuites(scenarios), await runIn(env.LOG_STORES), await runIn(env.SQLITE_LOG_STORES)];
    const all: SuiteReport = {
      passed: reports.flatMap((r) => r.passed),
      failed: reports.flatMap((r) => r.failed),
      skipped: reports.flatMap((r) => r.skipped),
    };
    console.log(formatReport('workerd', all));
    if (all.failed.length > 0) throw new Error(`${all.failed.length} cases failed in workerd`);
  },
};
