// Installs the peer libraries into bench/peers/node_modules, outside the workspace install.
// @coaty/consensus.raft depends on the native sqlite3 addon, which its RawNode never uses:
// install scripts are skipped and sqlite3 is replaced by a stub that throws if ever used.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

export function ensurePeersInstalled() {
  const marker = join(here, 'node_modules', '.webraft-installed');
  if (existsSync(marker)) return;
  process.stderr.write('bench: installing peer libraries into bench/peers (once)\n');
  execFileSync('npm', ['install', '--ignore-scripts', '--no-package-lock', '--no-audit', '--no-fund', '--no-save'], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sqlite = join(here, 'node_modules', 'sqlite3');
  rmSync(sqlite, { recursive: true, force: true });
  mkdirSync(sqlite, { recursive: true });
  writeFileSync(join(sqlite, 'package.json'), '{"name":"sqlite3","version":"0.0.0-stub","main":"index.js"}\n');
  writeFileSync(
    join(sqlite, 'index.js'),
    "'use strict';\nclass Database { constructor() { throw new Error('sqlite3 is a stub in the benchmark'); } }\nmodule.exports = { Database, verbose() { return module.exports; } };\n",
  );
  writeFileSync(marker, '');
}

if (import.meta.url === `file://${process.argv[1]}`) ensurePeersInstalled();
