#!/usr/bin/env node
// Runs the compiled command; inside the source tree (nothing built, or Node started with
// --conditions=source) runs the TypeScript sources through tsx instead.
const fromSource = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--conditions=source'));
let cli;
try {
  if (fromSource) throw Object.assign(new Error('source requested'), { code: 'ERR_MODULE_NOT_FOUND' });
  cli = await import('../dist/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/main.ts');
}
cli.main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`webraft: ${error.message}\n`);
  if (error.name === 'UsageError') process.stderr.write(`\n${cli.usage}`);
  process.exit(error.name === 'UsageError' ? 2 : 1);
});
