/**
 * The Durable Object relay's options: those of every standard-WebSocket relay, and the admin
 * API. Read from the Worker's environment by default (`wrangler.toml` `[vars]` and secrets),
 * with the names the Node relay reads from its own environment where it has them.
 */
import { RelayOptionsError, type RoomRelayOptions } from '../rooms/options.ts';

export interface DurableObjectRelayOptions extends RoomRelayOptions<Request> {
  /**
   * The admin API under `/admin/` (`GET /admin/stats`, `GET /admin/rooms/:room`). Off unless
   * given. With `token`, requests must carry `Authorization: Bearer <token>`.
   */
  readonly admin?: { readonly token?: string };
}

/** The environment variables {@link relayOptionsFromEnv} reads, and the option each sets. */
export const relayEnvironment = {
  WEBRAFT_RELAY_SECRET: 'tokenSecret',
  WEBRAFT_RELAY_ALLOWED_ORIGINS: 'allowedOrigins',
  WEBRAFT_RELAY_PATH: 'path',
  WEBRAFT_RELAY_MAX_FRAME_BYTES: 'maxFrameBytes',
  WEBRAFT_RELAY_MAX_MEMBERS: 'maxMembersPerRoom',
  WEBRAFT_RELAY_MAX_FRAMES_PER_SECOND: 'maxFramesPerSecond',
  WEBRAFT_RELAY_MAX_BYTES_PER_SECOND: 'maxBytesPerSecond',
  WEBRAFT_RELAY_MAX_BUFFERED_BYTES: 'maxBufferedBytes',
  WEBRAFT_RELAY_TAKEOVER_PROBE_MS: 'takeoverProbeMs',
  WEBRAFT_RELAY_ADMIN_TOKEN: 'admin',
} as const;

const numeric = new Set<string>([
  'WEBRAFT_RELAY_MAX_FRAME_BYTES',
  'WEBRAFT_RELAY_MAX_MEMBERS',
  'WEBRAFT_RELAY_MAX_FRAMES_PER_SECOND',
  'WEBRAFT_RELAY_MAX_BYTES_PER_SECOND',
  'WEBRAFT_RELAY_MAX_BUFFERED_BYTES',
  'WEBRAFT_RELAY_TAKEOVER_PROBE_MS',
]);

/**
 * The options the Worker's environment sets: `WEBRAFT_RELAY_SECRET` (room tokens),
 * `WEBRAFT_RELAY_ALLOWED_ORIGINS` (comma-separated), `WEBRAFT_RELAY_ADMIN_TOKEN` (turns the
 * admin API on) and the limits of {@link relayEnvironment}. A variable that does not read
 * throws {@link RelayOptionsError} naming it.
 */
export function relayOptionsFromEnv(env: object): DurableObjectRelayOptions {
  const vars = env as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(relayEnvironment)) {
    const value = vars[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') throw new RelayOptionsError(`${name} must be a string, got ${typeof value}`);
    if (numeric.has(name)) {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n <= 0) throw new RelayOptionsError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
      options[option] = n;
    } else if (option === 'allowedOrigins') {
      options[option] = value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
    } else if (option === 'admin') {
      options[option] = { token: value };
    } else {
      options[option] = value;
    }
  }
  return options as DurableObjectRelayOptions;
}
