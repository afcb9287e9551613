// @results core.bundle
// `core.bundle`: what @webraft/core costs a browser page. esbuild bundles the package's main
// entry (every export) for the browser, minified, ESM; the figure is that bundle gzipped
// (level 9). `core.bundle.node` is what an application that imports only the pieces of a
// typical tab (RaftNode, MemoryLogStore, the BroadcastChannel transport, jsonCodec) ships
// after tree-shaking.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { envInfo, onlyPrefix, printResult } from './lib.ts';

const only = onlyPrefix();
const core = new URL('../../packages/core/src/index.ts', import.meta.url).pathname;

async function measure(name: string, contents: string, what: string): Promise<void> {
  const result = await build({
    stdin: { contents, resolveDir: new URL('.', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
  });
  const bytes = result.outputFiles[0]!.contents;
  const gzipBytes = gzipSync(bytes, { level: 9 }).length;
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 8)
    .map(([file, { bytesInOutput }]) => `${file.replace(/^.*packages\/core\/src\//, '')} ${bytesInOutput}`);
  printResult({ name, params: { what, minifiedBytes: bytes.length, gzipBytes, largestInputs: inputs }, env: envInfo({ esbuild: (await import('esbuild')).version }) });
  process.stderr.write(`${name}: ${bytes.length} bytes minified, ${gzipBytes} gzipped\n`);
}

if ('core.bundle'.startsWith(only) || only === 'core.bundle') {
  await measure('core.bundle', `export * from ${JSON.stringify(core)};`, 'every export of the main entry');
}
if ('core.bundle.node'.startsWith(only)) {
  await measure(
    'core.bundle.node',
    `export { RaftNode, MemoryLogStore, broadcastChannelTransport, jsonCodec } from ${JSON.stringify(core)};`,
    'RaftNode, MemoryLogStore, broadcastChannelTransport, jsonCodec',
  );
}
