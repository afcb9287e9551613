/**
 * Entry point of `npm run fuzz`. The workspace packages resolve to their TypeScript sources
 * only under the `source` export condition; when started without it, this re-executes
 * itself with it, so the fuzzer always runs the current sources rather than a stale build.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (import.meta.resolve('@webraft/core').endsWith('.ts')) {
  await import('./fuzz-main.ts');
} else {
  const args = ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
