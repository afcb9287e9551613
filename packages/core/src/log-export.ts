/**
 * Log export for tools and bug reports (`webraft inspect`). Import from
 * `@webraft/core/log-export`: a page running a node never needs it, so it stays out of the
 * main entry's bundle.
 */
export * from './node/log-export.ts';
