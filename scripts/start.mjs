#!/usr/bin/env node
// `npm start`: serve the playground and the relay on localhost when the playground is
// there; otherwise run the 3-node demo cluster in Node.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const playground = join(root, 'apps/playground/package.json');
const hasPlayground =
  existsSync(playground) && JSON.parse(readFileSync(playground, 'utf8')).scripts?.start !== undefined;

const [cmd, args] = hasPlayground
  ? ['npm', ['run', 'start', '-w', '@webraft/playground', '--', ...process.argv.slice(2)]]
  : ['node', ['--import', 'tsx', join(root, 'scripts/demo.ts'), ...process.argv.slice(2)]];

const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
