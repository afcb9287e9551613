#!/usr/bin/env node
// `npm run bench [-- --only PREFIX]`: runs every bench/cases/*.ts script, prints each result
// as one JSON line on stdout (DESIGN.md "Measuring"), saves them all to
// bench/results/latest.json and prints a readable table on stderr.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '') : '';

// A case file named `core.ts` produces results named `core.*`.
const cases = readdirSync(join(here, 'cases'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .filter((f) => {
    const prefix = f.slice(0, -3);
    return only === '' || only.startsWith(prefix) || prefix.startsWith(only) || only.startsWith(`${prefix}.`);
  });

function runCase(file) {
  return new Promise((resolve) => {
    const results = [];
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'cases', file), ...(only ? ['--only', only] : [])], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const result = JSON.parse(line);
          results.push(result);
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } catch {
          process.stderr.write(`bench: ${file} printed a line that is not JSON: ${line}\n`);
        }
      }
    });
    child.on('exit', (code) => resolve({ file, code, results }));
  });
}

const all = [];
let failures = 0;
for (const file of cases) {
  const { code, results } = await runCase(file);
  if (code !== 0) {
    failures++;
    process.stderr.write(`bench: ${file} exited with ${code}\n`);
  }
  all.push(...results);
}

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), `${JSON.stringify(all, null, 2)}\n`);

const fmt = (v, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : '');
const rows = all.map((r) => [r.peer ? `${r.name} [${r.peer}]` : r.name, fmt(r.opsPerSec), fmt(r.p50Us, 1), fmt(r.p99Us, 1), fmt(r.maxUs, 1), fmt(r.peakHeapMB, 1)]);
const header = ['name', 'ops/s', 'p50 µs', 'p99 µs', 'max µs', 'heap MB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
process.stderr.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
// webraft against each peer measured in the same run, on the same result name.
for (const peerResult of all.filter((r) => r.peer)) {
  const ours = all.find((r) => !r.peer && r.name === peerResult.name);
  if (!ours) continue;
  const ratio =
    ours.opsPerSec && peerResult.opsPerSec
      ? `${(ours.opsPerSec / peerResult.opsPerSec).toFixed(1)}x the throughput`
      : ours.p99Us && peerResult.p99Us
        ? `${(peerResult.p99Us / ours.p99Us).toFixed(1)}x lower p99 latency`
        : undefined;
  if (ratio) process.stderr.write(`webraft / ${peerResult.peer} on ${peerResult.name}: ${ratio}\n`);
}
process.stderr.write(`\n${all.length} results in bench/results/latest.json\n`);
process.exit(failures === 0 ? 0 : 1);
