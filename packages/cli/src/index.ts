/**
 * The library side of the `webraft` command: status publishing for nodes (browser-safe) and
 * the text forms the command prints. The log export format itself lives in `@webraft/core`
 * (`exportLog`, `serializeLogExport`, `parseLogExport`).
 */
export { serveStatus, type ServeStatusOptions, type StatusPublisher } from './status/serve.ts';
export { queryStatus, lagOf, StatusQueryError, type ClusterStatus, type QueryStatusOptions } from './status/query.ts';
export {
  statusRoom, StatusProtocolError, type NodeStatusReport, type StatusSocket, type StatusSocketConstructor,
} from './status/protocol.ts';
export { formatClusterStatus } from './status/format.ts';
export { formatLogExport } from './inspect.ts';
