// Launch options for Debian's Chromium, shared by every browser test and benchmark.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Options for playwright-core's `chromium.launch`. */
export function chromiumLaunchOptions(extra = {}) {
  return { executablePath: chromiumPath, headless: true, ...extra, args: [...chromiumArgs, ...(extra.args ?? [])] };
}
