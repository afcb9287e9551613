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
