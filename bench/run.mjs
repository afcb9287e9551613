#!/usr/bin/env node
// `npm run bench [-- --only PREFIX]`: runs every bench/cases/*.ts script, prints each result
// as one JSON line on stdout (DESIGN.md "Measuring"), saves them all to
// bench/results/latest.json, prints a readable table on stderr and draws
// bench/results/chart.svg (throughput against the in-flight window, latency percentiles).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { drawChart, opsPerCpuSecond } from './chart.mjs';

const here = new URL('.', import.meta.url).pathname;
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '') : '';

// A case file named `core.ts` produces results named `core.*`, unless a line
// `// @results PREFIX...` lists the prefixes of the names it prints (peers.ts prints core.3node.*).
const producedPrefixes = (file) => {
  const declared = /^\/\/ @results (.+)$/m.exec(readFileSync(join(here, 'cases', file), 'utf8'));
  return declared ? declared[1].trim().split(/\s+/) : [file.slice(0, -3)];
};
const cases = readdirSync(join(here, 'cases'))
  .filter((f) => f.endsWith('.ts') && f !== 'lib.ts')
  .sort()
  .filter((f) => only === '' || producedPrefixes(f).some((prefix) => only.startsWith(prefix) || prefix.startsWith(only)));

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
const size = (r) => (typeof r.params?.gzipBytes === 'number' ? `${fmt(r.params.gzipBytes / 1024, 1)} KB gz` : '');
const rows = all.map((r) => [
  r.peer ? `${r.name} [${r.peer}]` : r.name,
  fmt(r.opsPerSec),
  fmt(opsPerCpuSecond(r)),
  fmt(r.params?.cpuSeconds, 2),
  fmt(r.p50Us, 1),
  fmt(r.p99Us, 1),
  fmt(r.maxUs, 1),
  fmt(r.peakHeapMB, 1),
  size(r),
]);
const header = ['name', 'ops/s', 'ops/CPU-s', 'CPU s', 'p50 µs', 'p99 µs', 'max µs', 'heap MB', 'size'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
process.stderr.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
// webraft against each peer measured in the same run, on the same result name (and window).
const sameWorkload = (a, b) => a.name === b.name && (!a.name.endsWith('.window') || a.params?.inflight === b.params?.inflight);
for (const peerResult of all.filter((r) => r.peer)) {
  const ours = all.find((r) => !r.peer && sameWorkload(r, peerResult));
  if (!ours) continue;
  const perCpu = opsPerCpuSecond(ours) && opsPerCpuSecond(peerResult) ? `, ${(opsPerCpuSecond(ours) / opsPerCpuSecond(peerResult)).toFixed(1)}x per CPU second` : '';
  const ratio =
    ours.opsPerSec && peerResult.opsPerSec
      ? `${(ours.opsPerSec / peerResult.opsPerSec).toFixed(1)}x the throughput${perCpu}`
      : ours.p99Us && peerResult.p99Us
        ? `${(peerResult.p50Us / ours.p50Us).toFixed(1)}x lower p50, ${(peerResult.p99Us / ours.p99Us).toFixed(1)}x lower p99 latency`
        : undefined;
  const where = ours.name.endsWith('.window') ? `${ours.name} (${ours.params.inflight} in flight)` : ours.name;
  if (ratio) process.stderr.write(`webraft / ${peerResult.peer} on ${where}: ${ratio}\n`);
}
const subtitle = `node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end of the run, ${new Date().toISOString().slice(0, 16)}Z`;
writeFileSync(join(here, 'results', 'chart.svg'), drawChart(all, subtitle));
process.stderr.write(`\n${all.length} results in bench/results/latest.json, chart in bench/results/chart.svg\n`);
process.exit(failures === 0 ? 0 : 1);
