/**
 * What every runtime runs: the core's scenario scripts (the same harness and files as the core's
 * vitest and Deno runs) and the LogStore and Transport conformance suites, as one list of cases.
 * Runtime-neutral: the caller brings the scenario texts and reports the results.
 */
import { describeMismatches, runScript } from '../../packages/core/test/scenario/run.ts';
import { broadcastChannelTransport, createMemoryLogData, MemoryLogStore, type MemoryLogData } from '../../packages/core/src/index.ts';
import { type ConformanceCase, createMemoryNetwork, logStoreConformance, runCases, transportConformance } from '../../packages/core/src/testing/index.ts';

export interface SuiteReport {
  readonly passed: readonly string[];
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  /** Suites this runtime cannot run, and why. */
  readonly skipped: readonly string[];
}

/** `scenarios`: file name → script text. */
export function runtimeCases(scenarios: Readonly<Record<string, string>>): { cases: ConformanceCase[]; skipped: string[] } {
  const cases: ConformanceCase[] = [];
  const skipped: string[] = [];
  const mutantScripts: string[] = [];
  for (const file of Object.keys(scenarios).sort()) {
    // Broken cores are build-time patches made under Node (see the core's vitest run).
    if (/\bmutants=/.test(scenarios[file]!)) {
      mutantScripts.push(file);
      continue;
    }
    cases.push({
      name: `scenario ${file}`,
      run: async () => {
        const result = runScript(scenarios[file]!);
        if (result.mismatches.length > 0) throw new Error(describeMismatches(file, result.mismatches));
      },
    });
  }

  if (mutantScripts.length > 0) {
    skipped.push(`${mutantScripts.length} scenario scripts that load a broken core (mutant builds are made under Node)`);
  }

  const disks = new Map<string, MemoryLogData>();
  const memoryLog = logStoreConformance((name) => {
    let data = disks.get(name);
    if (data === undefined) disks.set(name, (data = createMemoryLogData()));
    return new MemoryLogStore({ data });
  });
  cases.push(...memoryLog.map((c) => ({ ...c, name: `MemoryLogStore ${c.name}` })));

  const memoryTransport = transportConformance((ids) => {
    const network = createMemoryNetwork();
    return { transports: ids.map((id) => network.transport(id)) };
  });
  cases.push(...memoryTransport.map((c) => ({ ...c, name: `memory ${c.name}` })));

  if (typeof (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel === 'function') {
    let channels = 0;
    const broadcast = transportConformance((ids) => {
      const channel = `runtime-bc-${channels++}`;
      return { transports: ids.map((nodeId) => broadcastChannelTransport({ channel, nodeId, secret: 'runtime' })) };
    });
    cases.push(...broadcast.map((c) => ({ ...c, name: `BroadcastChannel ${c.name}` })));
  } else {
    skipped.push('BroadcastChannel transport conformance (no BroadcastChannel in this runtime)');
  }
  return { cases, skipped };
}

export async function runSuites(scenarios: Readonly<Record<string, string>>): Promise<SuiteReport> {
  const { cases, skipped } = runtimeCases(scenarios);
  return reportCases(cases, skipped);
}

/** Runs `cases`; the report is plain data, so it can cross from a Durable Object as JSON. */
export async function reportCases(cases: readonly ConformanceCase[], skipped: readonly string[]): Promise<SuiteReport> {
  const { passed, failed } = await runCases(cases);
  return { passed, failed: failed.map(({ name, error }) => ({ name, error: (error as Error)?.stack ?? String(error) })), skipped };
}

/** The report as text: failures in full, then "N passed, M failed" alone on the last line. */
export function formatReport(runtime: string, report: SuiteReport): string {
  const lines = [
    ...report.failed.map((f) => `FAIL [${runtime}] ${f.name}\n${f.error}`),
    ...report.skipped.map((s) => `skipped [${runtime}] ${s}`),
    `${runtime}: ${report.passed.length} passed, ${report.failed.length} failed`,
  ];
  return `${lines.join('\n')}\n`;
}
