#!/usr/bin/env node
// Package hygiene, checked on a copy of the packages without any build output, as a fresh clone
// has them:
// - every bin runs from the sources, before anything is built;
// - `npm pack` builds dist/ by itself (`prepack`) and ships every file the exports and bins name;
// - every package passes publint and @arethetypeswrong/cli;
// - in a clean folder outside the workspace the packed tarballs install, every entry point
//   imports, the installed bins run, and a TypeScript project importing every entry point
//   type-checks with `skipLibCheck: false` under `moduleResolution` "bundler" and "nodenext".
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
// The published packages: the workspaces under packages/, in the root's order (dependencies first).
const packages = readJson(join(root, 'package.json')).workspaces.filter(
  (dir) => dir.startsWith('packages/') && existsSync(join(root, dir, 'package.json')) && !readJson(join(root, dir, 'package.json')).private,
);

let failures = 0;
const pass = (what) => process.stdout.write(`ok   ${what}\n`);
const fail = (what, detail = '') => {
  failures++;
  process.stdout.write(`FAIL ${what}\n${detail}${detail.endsWith('\n') || detail === '' ? '' : '\n'}`);
};
const check = (what, action) => {
  try {
    action();
    pass(what);
  } catch (error) {
    fail(what, `${error.stdout ?? ''}${error.stderr ?? ''}${error.stdout || error.stderr ? '' : error.message}`);
  }
};

/**
 * The packages' sources (no dist/, tests or build info) with a node_modules of their own: the
 * @webraft packages link into the copy, everything else to the workspace's installed modules.
 */
function copySourceTree(tree) {
  for (const dir of packages) {
    cpSync(join(root, dir), join(tree, dir), {
      recursive: true,
      filter: (path) => {
        const inPackage = relative(join(root, dir), path);
        return !['dist', 'node_modules', 'test'].includes(inPackage) && !path.endsWith('.tsbuildinfo');
      },
    });
  }
  cpSync(join(root, 'tsconfig.base.json'), join(tree, 'tsconfig.base.json'));
  mkdirSync(join(tree, 'node_modules/@webraft'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@webraft') symlinkSync(join(root, 'node_modules', entry), join(tree, 'node_modules', entry));
  }
  for (const dir of packages) {
    const { name } = readJson(join(root, dir, 'package.json'));
    symlinkSync(join('../..', dir), join(tree, 'node_modules', name));
  }
}

/** Runs `file args` with Node until its output matches `ready` (then stops it) or it exits. */
function runUntil(file, args, cwd, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const onData = (chunk) => {
      output += chunk;
      if (ready?.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ok = ready === undefined ? code === 0 : ready.test(output) && signal !== 'SIGKILL';
      if (ok) resolve(output);
      else reject(Object.assign(new Error(`${basename(file)} ${args.join(' ')}: exit ${code ?? signal}`), { stdout: output }));
    });
  });
}

/** The bins of the packages in `pkgDirs`: name and the file to run. */
function binsOf(pkgDirs) {
  return pkgDirs.flatMap((pkgDir) => Object.entries(readJson(join(pkgDir, 'package.json')).bin ?? {}).map(([name, path]) => ({ name, file: join(pkgDir, path) })));
}

/** Every bin answers `--help`; the relay also starts and listens. */
async function checkBins(bins, cwd, where) {
  for (const { name, file } of bins) {
    try {
      await runUntil(file, ['--help'], cwd);
      if (name === 'webraft-relay') await runUntil(file, ['--port', '0'], cwd, /listening on ws:\/\//);
      pass(`${name} runs ${where}`);
    } catch (error) {
      fail(`${name} runs ${where}`, `${error.message}\n${error.stdout ?? ''}`);
    }
  }
}

/** Every file the package's exports and bins point at. */
function namedFiles(pkg) {
  const targets = [];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  return targets.map((target) => target.replace(/^\.\//, ''));
}

const scratch = mkdtempSync(join(tmpdir(), 'webraft-pack-'));
const tree = join(scratch, 'tree');
const tarballs = [];
const entryPoints = [];
try {
  copySourceTree(tree);
  const bins = binsOf(packages.map((dir) => join(tree, dir)));
  await checkBins(bins, tree, 'from the sources, nothing built');

  for (const dir of packages) {
    const pkgDir = join(tree, dir);
    const pkg = readJson(join(pkgDir, 'package.json'));
    for (const subpath of Object.keys(pkg.exports)) entryPoints.push(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
    if (pkg.scripts?.prepack === undefined) fail(`prepack ${pkg.name}`, '  no "prepack" script: `npm pack` before a build would ship no dist/');
    let packed;
    try {
      [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], pkgDir));
    } catch (error) {
      fail(`npm pack ${pkg.name}`, `${error.stdout ?? ''}${error.stderr ?? ''}`);
      continue;
    }
    tarballs.push(join(scratch, packed.filename));
    const shipped = new Set(packed.files.map((f) => f.path));
    const missing = namedFiles(pkg).filter((file) => !shipped.has(file));
    if (missing.length === 0) pass(`npm pack ${pkg.name} (unbuilt) ships every file its exports and bins name`);
    else fail(`npm pack ${pkg.name} (unbuilt) ships every file its exports and bins name`, `  missing: ${missing.join(', ')}`);
    check(`publint ${pkg.name}`, () => run('npx', ['publint', '--strict', pkgDir], root));
    check(`attw ${pkg.name}`, () => run('npx', ['attw', '--profile', 'esm-only', '--format', 'table-flipped', tarballs.at(-1)], root));
  }

  // A clean consumer: the tarballs and their dependencies from the registry, nothing else
  // (but @types/node, as any TypeScript project on Node has, and the optional peers an entry
  // point needs, such as React for the store's hook, with their types, as its users have).
  const consumer = join(scratch, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  const installed = (name) => {
    const file = join(root, 'node_modules', name, 'package.json');
    return existsSync(file) ? `${name}@${readJson(file).version}` : undefined;
  };
  const peers = packages.flatMap((dir) => Object.keys(readJson(join(tree, dir, 'package.json')).peerDependencies ?? {}));
  const extras = ['@types/node', ...new Set(peers.flatMap((name) => [name, `@types/${name}`]))].map(installed).filter((spec) => spec !== undefined);
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs, ...extras], consumer);

  const script = entryPoints.map((name) => `await import(${JSON.stringify(name)});`).join('\n');
  writeFileSync(join(consumer, 'check.mjs'), `${script}\nconsole.log('imported ${entryPoints.length} entry points');\n`);
  check(`import ${entryPoints.length} entry points from the packed tarballs`, () => run('node', ['check.mjs'], consumer));
  // As `npx NAME` runs them: through the links npm made in node_modules/.bin.
  await checkBins(bins.map(({ name }) => ({ name, file: join(consumer, 'node_modules/.bin', name) })), consumer, 'installed from its tarball');

  const imports = entryPoints.map((name, i) => `import * as entry${i} from ${JSON.stringify(name)};`);
  writeFileSync(join(consumer, 'check.ts'), `${imports.join('\n')}\nexport const entries = [${entryPoints.map((_, i) => `entry${i}`).join(', ')}];\n`);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  for (const [module, moduleResolution] of [['esnext', 'bundler'], ['nodenext', 'nodenext']]) {
    const compilerOptions = { module, moduleResolution, target: 'es2022', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] };
    writeFileSync(join(consumer, `tsconfig.${moduleResolution}.json`), JSON.stringify({ compilerOptions, files: ['check.ts'] }, null, 2));
    check(`type-check every entry point, skipLibCheck false, moduleResolution ${moduleResolution}`, () =>
      run('node', [tsc, '-p', `tsconfig.${moduleResolution}.json`], consumer),
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`package checks: ${failures === 0 ? 'all passed' : `${failures} failed`}\n`);
process.exit(failures === 0 ? 0 : 1);
