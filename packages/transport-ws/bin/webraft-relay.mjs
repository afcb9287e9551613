#!/usr/bin/env node
// Runs the compiled relay; inside the source tree (nothing built yet) runs the TypeScript
// sources through tsx instead.
let cli;
try {
  cli = await import('../dist/relay/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/relay/cli.ts');
}
cli.main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`webraft-relay: ${error.message}\n`);
  process.exit(1);
});
