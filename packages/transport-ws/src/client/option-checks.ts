/**
 * The transports' options, checked before anything connects. Each problem names its option
 * (`backoff.jitter` for a nested one) and what was wrong, so the application learns it from
 * the rejected `start()` rather than from a relay that never answers.
 */
import { maxPeerIdBytes } from '../protocol.ts';

/** An option the transport cannot work with: `start()` rejects with this, `option` names it. */
export class TransportOptionsError extends Error {
  override readonly name = 'TransportOptionsError';
  constructor(
    /** The option at fault: `url`, `nodeId`, `backoff.jitter`, ... */
    readonly option: string,
    detail: string,
    factory = 'webSocketTransport',
  ) {
    super(`${factory} option \`${option}\`: ${detail}`);
  }
}

/** The relay refuses longer room names (close code 4000). */
const maxRoomBytes = 128;
const utf8 = new TextEncoder();

/** A problem with one value, or undefined when it is fine. */
type Check = (value: unknown) => string | undefined;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

const relayUrl: Check = (value) => {
  if (typeof value !== 'string') return `must be a string like "ws://127.0.0.1:8787/", got ${kind(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not a URL (expected ws://host:port/ or wss://host/path)`;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return `must use ws:// or wss://, not ${url.protocol}//`;
  return undefined;
};

/** One relay URL, or a non-empty list of them (each checked, and named by its place in the list). */
function checkRelayUrls(value: unknown, factory: string): void {
  if (!Array.isArray(value)) {
    const problem = typeof value === 'string' ? relayUrl(value) : `must be a string like "ws://127.0.0.1:8787/" or a list of such strings, got ${kind(value)}`;
    if (problem !== undefined) throw new TransportOptionsError('url', problem, factory);
    return;
  }
  if (value.length === 0) throw new TransportOptionsError('url', 'must name at least one relay, got an empty list', factory);
  value.forEach((url: unknown, i) => {
    const problem = relayUrl(url);
    if (problem !== undefined) throw new TransportOptionsError(`url[${i}]`, problem, factory);
  });
}

const id =
  (maxBytes: number): Check =>
  (value) => {
    if (typeof value !== 'string' || value === '') return `must be a non-empty string, got ${kind(value)}`;
    const bytes = utf8.encode(value).length;
    return bytes > maxBytes ? `is ${bytes} bytes of UTF-8; the relay takes at most ${maxBytes} bytes` : undefined;
  };

const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined ? undefined : check(value);

const number =
  (min: number, inclusive: boolean, integer = false): Check =>
  (value) => {
    const fits = typeof value === 'number' && Number.isFinite(value) && (inclusive ? value >= min : value > min);
    if (fits && (!integer || Number.isSafeInteger(value))) return undefined;
    return `must be ${integer ? 'an integer' : 'a number'} ${inclusive ? '≥' : '>'} ${min}, got ${kind(value)}`;
  };

const fraction: Check = (value) =>
  typeof value === 'number' && value >= 0 && value <= 1 ? undefined : `must be between 0 and 1, got ${kind(value)}`;

const func: Check = (value) => (typeof value === 'function' ? undefined : `must be a function, got ${kind(value)}`);

const object: Check = (value) => (typeof value === 'object' && value !== null ? undefined : `must be an object, got ${kind(value)}`);

const webSocketClass: Check = (value) =>
  typeof value === 'function' ? undefined : `must be a WebSocket constructor (e.g. \`WebSocket\` from the \`ws\` package), got ${kind(value)}`;

const token: Check = (value) =>
  typeof value === 'string' || typeof value === 'function' ? undefined : `must be a string or a function returning one, got ${kind(value)}`;

const secret: Check = (value) =>
  (typeof value === 'string' && value !== '') || (value instanceof Uint8Array && value.length > 0)
    ? undefined
    : `must be a non-empty string or a Uint8Array, got ${kind(value)}`;

const clock: Check = (value) => {
  const c = value as { now?: unknown; setTimeout?: unknown; clearTimeout?: unknown } | null;
  return typeof c === 'object' && c !== null && typeof c.now === 'function' && typeof c.setTimeout === 'function' && typeof c.clearTimeout === 'function'
    ? undefined
    : 'must have now, setTimeout and clearTimeout functions';
};

const iceServers: Check = (value) =>
  Array.isArray(value) && value.every((server) => typeof server === 'object' && server !== null && 'urls' in server)
    ? undefined
    : `must be an array of { urls, username?, credential? }, got ${kind(value)}`;

const backoffChecks: Record<string, Check> = {
  initialMs: optional(number(0, false)),
  maxMs: optional(number(0, false)),
  factor: optional(number(1, true)),
  jitter: optional(fraction),
};

const transportChecks: Record<string, Check> = {
  room: id(maxRoomBytes),
  nodeId: id(maxPeerIdBytes),
  token: optional(token),
  secret: optional(secret),
  clusterId: optional(id(255)),
  maxFrameBytes: optional(number(1024, true, true)),
  maxBufferedBytes: optional(number(0, true)),
  backoff: optional(object),
  connectTimeoutMs: optional(number(0, true)),
  keepAliveMs: optional(number(0, false)),
  random: optional(func),
  clock: optional(clock),
  faults: optional(object),
  onRefused: optional(func),
  onStatus: optional(func),
};

const meshChecks: Record<string, Check> = {
  iceServers: optional(iceServers),
  wrtc: optional(object),
  channelConnectTimeoutMs: optional(number(0, false)),
  maxChannelMessageBytes: optional(number(1, true, true)),
  maxChannelBufferedBytes: optional(number(0, true)),
  retry: optional(object),
};

function checkAll(options: Record<string, unknown>, checks: Record<string, Check>, factory: string, prefix = ''): void {
  for (const [name, check] of Object.entries(checks)) {
    const problem = check(options[name]);
    if (problem !== undefined) throw new TransportOptionsError(`${prefix}${name}`, problem, factory);
  }
}

/**
 * Throws a {@link TransportOptionsError} for the first option of `webSocketTransport` (and, with
 * `mesh`, of `webRTCTransport`) it cannot work with. `WebSocket` is checked where it is resolved.
 */
export function checkTransportOptions(options: unknown, factory: string, mesh = false): void {
  if (typeof options !== 'object' || options === null) throw new TransportOptionsError('options', `must be an object, got ${kind(options)}`, factory);
  const given = options as Record<string, unknown>;
  checkRelayUrls(given.url, factory);
  checkAll(given, transportChecks, factory);
  if (given.backoff !== undefined) checkAll(given.backoff as Record<string, unknown>, backoffChecks, factory, 'backoff.');
  if (given.WebSocket !== undefined) checkAll(given, { WebSocket: webSocketClass }, factory);
  if (!mesh) return;
  checkAll(given, meshChecks, factory);
  if (given.retry !== undefined) checkAll(given.retry as Record<string, unknown>, backoffChecks, factory, 'retry.');
}
