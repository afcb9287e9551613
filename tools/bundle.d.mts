/** Bundles the module at `entry` for a browser page (ESM, es2022, `@webraft/*` from sources). */
export function bundleForBrowser(entry: string): Promise<string>;
