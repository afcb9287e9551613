/**
 * Starts the e2e servers (test page + relay, see server/serve.ts) in a child process on free
 * ports, hands their URLs to the tests through the environment, and stops them at the end.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'server/serve.ts'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`e2e server exited with ${code}`)));
  });
  const urls = JSON.parse(line) as { web: string; relay: string };
  process.env.E2E_WEB_URL = urls.web;
  process.env.E2E_RELAY_URL = urls.relay;
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
}
