// Draws bench/results/chart.svg from one run's results, with no library: throughput against
// the in-flight window (results named `*.window`, x = params.inflight) and latency
// percentiles (every result with p50Us and p99Us). Both axes of the first panel and the value
// axis of the second are logarithmic.

const W = 1100;
const PANEL_H = 360;
const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (r) => (r.peer ? `${r.name} [${r.peer}]` : r.name);
const compact = (v) => (v >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : `${+v.toFixed(1)}`);

/** Powers of ten spanning [lo, hi]. */
function decades(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function logScale(lo, hi, from, to) {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from);
}

/** Commands per second of process CPU time when known (the machine may be shared), else per wall second. */
export function opsPerCpuSecond(r) {
  const cpu = r.params?.cpuSeconds;
  const total = r.params?.total;
  return typeof r.opsPerSec === 'number' && typeof cpu === 'number' && cpu > 0 && typeof total === 'number' ? total / cpu : undefined;
}

function windowPanel(results, top) {
  const points = results.filter((r) => r.name.endsWith('.window') && r.params?.inflight > 0 && opsPerCpuSecond(r));
  const series = new Map();
  for (const r of points) {
    const key = label(r);
    if (!series.has(key)) series.set(key, []);
    series.get(key).push([r.params.inflight, opsPerCpuSecond(r)]);
  }
  const out = [`<text x="20" y="${top + 24}" font-size="16" font-weight="bold">Throughput against the in-flight window (3 voters, one process, 16-byte commands)</text>`];
  if (series.size === 0) return [...out, `<text x="80" y="${top + 80}">no *.window results in this run</text>`];
  const xs = points.map((r) => r.params.inflight);
  const ys = [...series.values()].flat().map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const ticksY = decades(Math.min(...ys), Math.max(...ys));
  const left = 90;
  const right = W - 390;
  const bottom = top + PANEL_H - 50;
  const sx = logScale(x0, x1, left, right);
  const sy = logScale(ticksY[0], ticksY.at(-1), bottom, top + 50);
  for (const t of ticksY) {
    out.push(`<line x1="${left}" x2="${right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 8}" y="${sy(t) + 4}" text-anchor="end" font-size="12">${compact(t)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${top + 50}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<text x="${sx(x)}" y="${bottom + 18}" text-anchor="middle" font-size="12">${x}</text>`);
  }
  out.push(`<text x="${(left + right) / 2}" y="${bottom + 40}" text-anchor="middle" font-size="13">commands in flight</text>`);
  out.push(`<text transform="translate(22 ${(top + 50 + bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="13">commands per CPU second</text>`);
  let i = 0;
  for (const [name, pts] of series) {
    const color = colors[i % colors.length];
    pts.sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(name)}: ${x} in flight, ${Math.round(y)}/CPU s</title></circle>`);
    out.push(`<rect x="${right + 20}" y="${top + 52 + i * 20}" width="14" height="3" fill="${color}"/>`);
    out.push(`<text x="${right + 40}" y="${top + 58 + i * 20}" font-size="12">${esc(name)}</text>`);
    i++;
  }
  return out;
}

function latencyPanel(results, top) {
  const rows = results.filter((r) => r.name.endsWith('.latency') && typeof r.p50Us === 'number' && typeof r.p99Us === 'number' && r.p50Us > 0);
  const out = [`<text x="20" y="${top + 24}" font-size="16" font-weight="bold">Latency, one command at a time: p50 (dark) and p99 (light), µs, log scale</text>`];
  if (rows.length === 0) return [...out, `<text x="80" y="${top + 80}">no latency results in this run</text>`];
  const left = 400;
  const right = W - 40;
  const rowH = 26;
  const ticks = decades(Math.min(...rows.map((r) => r.p50Us)), Math.max(...rows.map((r) => r.p99Us)));
  const sx = logScale(ticks[0], ticks.at(-1), left, right);
  const bottom = top + 50 + rows.length * rowH;
  for (const t of ticks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${top + 44}" y2="${bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${sx(t)}" y="${bottom + 16}" text-anchor="middle" font-size="12">${compact(t)}</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + 50 + i * rowH;
    const color = r.peer ? colors[1] : colors[0];
    out.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(label(r))}</text>`);
    out.push(`<rect x="${left}" y="${y + 3}" width="${(sx(r.p99Us) - left).toFixed(1)}" height="16" fill="${color}" opacity="0.35"/>`);
    out.push(`<rect x="${left}" y="${y + 3}" width="${(sx(r.p50Us) - left).toFixed(1)}" height="16" fill="${color}"/>`);
    out.push(`<text x="${Math.min(sx(r.p99Us) + 6, right - 110)}" y="${y + 15}" font-size="11">${compact(r.p50Us)} / ${compact(r.p99Us)} µs</text>`);
  });
  return { parts: out, height: bottom + 30 - top };
}

export function drawChart(results, subtitle) {
  const first = windowPanel(results, 30);
  const second = latencyPanel(results, PANEL_H + 30);
  const parts = Array.isArray(second) ? second : second.parts;
  const height = PANEL_H + 30 + (Array.isArray(second) ? 120 : second.height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="20" y="18" font-size="12" fill="#555">${esc(subtitle)}</text>`,
    ...first,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
