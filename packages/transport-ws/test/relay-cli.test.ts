import { expect, it, vi } from 'vitest';
import { main } from '../src/relay/index.ts';

it('exports the webraft-relay command for other command-line tools', async () => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await main(['--help']);
    expect(write.mock.calls.map(([text]) => String(text)).join('')).toMatch(/^usage: webraft-relay \[options\]/);
  } finally {
    write.mockRestore();
  }
  await expect(main(['--port', 'x'])).rejects.toThrow('--port must be a non-negative integer');
});
