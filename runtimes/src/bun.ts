// Bun: `bun --conditions=source src/bun.ts` runs the suites and exits non-zero on a failure.
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { formatReport, runSuites } from './suites.ts';

const dir = new URL('../../packages/core/test/scenarios/', import.meta.url);
const scenarios: Record<string, string> = {};
for (const file of readdirSync(dir)) if (file.endsWith('.txt')) scenarios[file] = readFileSync(new URL(file, dir), 'utf8');
const report = await runSuites(scenarios);
process.stdout.write(formatReport(`bun ${process.versions.bun ?? '?'}`, report));
process.exitCode = report.failed.length === 0 ? 0 : 1;
