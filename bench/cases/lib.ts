// Shared helpers for benchmark cases: argument parsing, percentiles and the JSON line format
// of DESIGN.md "Measuring".

export interface BenchResult {
  name: string;
  params: Record<string, unknown>;
  peer?: string;
  opsPerSec?: number;
  p50Us?: number;
  p99Us?: number;
  maxUs?: number;
  peakHeapMB?: number;
  env: Record<string, string>;
}

/** The `--only PREFIX` argument, or '' for everything. */
export function onlyPrefix(argv: readonly string[] = process.argv): string {
  const at = argv.indexOf('--only');
  return at >= 0 ? (argv[at + 1] ?? '') : '';
}

export function envInfo(extra: Record<string, string> = {}): Record<string, string> {
  return { node: process.version, ...extra };
}

/** p50 / p99 / max of latency samples in microseconds. */
export function percentiles(samplesUs: readonly number[]): { p50Us: number; p99Us: number; maxUs: number } {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { p50Us: round(at(0.5)), p99Us: round(at(0.99)), maxUs: round(sorted[sorted.length - 1] ?? 0) };
}

export function printResult(result: BenchResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Process CPU time (user + system, GC threads included) since `start`, in seconds. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return Math.round((user + system) / 1e3) / 1000;
}

export function heapMB(): number {
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

/** Runs `measure` `rounds` times and keeps the fastest (a shared machine only ever slows a run down). */
export async function bestOf<T extends { opsPerSec?: number; p99Us?: number }>(rounds: number, measure: () => T | Promise<T>): Promise<T & { rounds: number }> {
  let best: T | undefined;
  for (let i = 0; i < rounds; i++) {
    const r = await measure();
    const better = best === undefined || (r.opsPerSec !== undefined ? r.opsPerSec > best.opsPerSec! : r.p99Us! < best.p99Us!);
    if (better) best = r;
  }
  return { ...best!, rounds };
}
