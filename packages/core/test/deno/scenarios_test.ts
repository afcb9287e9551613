/// <reference lib="deno.ns" />
// The scenario scripts under Deno: same harness, same files, no Node APIs.
import { describeMismatches, runScript } from '../scenario/run.ts';

const dir = new URL('../scenarios/', import.meta.url);
/** Rewrite mode needs `--allow-env --allow-write`; without env permission it is simply off. */
function envFlag(key: string): boolean {
  try {
    return Deno.env.get(key) === '1';
  } catch {
    return false;
  }
}
const rewrite = envFlag('REWRITE') || envFlag('WEBRAFT_REWRITE');

const files: string[] = [];
for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith('.txt')) files.push(e.name);
files.sort();

for (const file of files) {
  const source = await Deno.readTextFile(new URL(file, dir));
  // Scripts of deliberately broken cores need a bundler to build them; they run under Node.
  if (/\bmutants=/.test(source)) continue;
  Deno.test(`scenario ${file}`, async () => {
    const url = new URL(file, dir);
    const result = runScript(source);
    if (rewrite) {
      if (result.rewritten !== source) await Deno.writeTextFile(url, result.rewritten);
      return;
    }
    if (result.mismatches.length > 0) throw new Error(describeMismatches(file, result.mismatches));
  });
}
