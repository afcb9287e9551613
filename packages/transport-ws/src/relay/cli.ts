/** `webraft-relay`: runs a relay until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { startRelay } from './server.ts';
import type { RelayOptions } from './options.ts';

const usage = `usage: webraft-relay [options]
  --port N                 port (default 8787; 0 picks one)
  --host ADDR              interface (default 127.0.0.1; 0.0.0.0 for all)
  --path PATH              WebSocket path (default /)
  --token-secret S         require room tokens minted with this secret (or env WEBRAFT_RELAY_SECRET)
  --allowed-origin O       allow this browser origin (repeatable; default any)
  --max-frame-bytes N      largest frame (default 2097152)
  --max-rooms N            (default 1000)
  --max-members N          members per room (default 64)
  --max-connections N      (default 10000)
  --max-connections-per-address N  (default 256; IPv6 per /64)
  --max-handshakes-per-second-per-address N  (default 100; beyond: HTTP 429)
  --max-buffered-bytes N   per-receiver send buffer bound (default 1048576)
  --max-frames-per-second N  per member (default 20000)
  --max-bytes-per-second N   per member; over it the member is not read for a while (default 67108864)
  --max-memory-bytes N     memory budget of the process (default 1073741824)
  --stall-timeout-ms N     a queue full or a message incomplete this long drops the client (default 30000)
  --redis URL              share rooms with the relays using this Redis, e.g. redis://127.0.0.1:6379
                           (or env WEBRAFT_RELAY_REDIS); without it the relay closes its clients (4108)
  --redis-prefix P         prefix of the Redis keys and channels (default webraft:)
  --redis-lease-ms N       the relay's lease in Redis (default 10000)
  --admin                  enable the admin / fault-injection API under /admin/
  --admin-token T          require "Authorization: Bearer T" for it (or env WEBRAFT_RELAY_ADMIN_TOKEN)
`;

export async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      path: { type: 'string' },
      'token-secret': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      'max-frame-bytes': { type: 'string' },
      'max-rooms': { type: 'string' },
      'max-members': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-connections-per-address': { type: 'string' },
      'max-handshakes-per-second-per-address': { type: 'string' },
      'max-memory-bytes': { type: 'string' },
      'stall-timeout-ms': { type: 'string' },
      'max-buffered-bytes': { type: 'string' },
      'max-frames-per-second': { type: 'string' },
      'max-bytes-per-second': { type: 'string' },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      'redis-lease-ms': { type: 'string' },
      admin: { type: 'boolean' },
      'admin-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const int = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
    return n;
  };
  const secret = values['token-secret'] ?? process.env.WEBRAFT_RELAY_SECRET;
  const adminToken = values['admin-token'] ?? process.env.WEBRAFT_RELAY_ADMIN_TOKEN;
  const redis = values.redis ?? process.env.WEBRAFT_RELAY_REDIS;
  const options: RelayOptions = {
    port: int('port', values.port),
    host: values.host,
    path: values.path,
    tokenSecret: secret,
    allowedOrigins: values['allowed-origin'],
    maxFrameBytes: int('max-frame-bytes', values['max-frame-bytes']),
    maxRooms: int('max-rooms', values['max-rooms']),
    maxMembersPerRoom: int('max-members', values['max-members']),
    maxConnections: int('max-connections', values['max-connections']),
    maxConnectionsPerAddress: int('max-connections-per-address', values['max-connections-per-address']),
    maxHandshakesPerSecondPerAddress: int('max-handshakes-per-second-per-address', values['max-handshakes-per-second-per-address']),
    maxMemoryBytes: int('max-memory-bytes', values['max-memory-bytes']),
    stallTimeoutMs: int('stall-timeout-ms', values['stall-timeout-ms']),
    maxBufferedBytes: int('max-buffered-bytes', values['max-buffered-bytes']),
    maxFramesPerSecond: int('max-frames-per-second', values['max-frames-per-second']),
    maxBytesPerSecond: int('max-bytes-per-second', values['max-bytes-per-second']),
    redis,
    redisPrefix: values['redis-prefix'],
    redisLeaseMs: int('redis-lease-ms', values['redis-lease-ms']),
    admin: values.admin || adminToken !== undefined ? { token: adminToken } : undefined,
  };
  const relay = await startRelay(options);
  process.stderr.write(
    `webraft relay listening on ${relay.url}` +
      `${secret ? ' (room tokens required)' : ''}${options.admin ? ' (admin API on)' : ''}` +
      `${redis ? ` (sharing rooms through Redis at ${redis.replace(/\/\/[^@/]*@/, '//***@')}, relay ${relay.stats().cluster?.relayId})` : ''}\n`,
  );
  const stop = (): void => {
    relay.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
