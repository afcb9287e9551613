/**
 * The admin and fault-injection HTTP API (off unless `admin` is given):
 *
 *   GET    /admin/stats                      counters (RelayStats)
 *   GET    /admin/rooms                      [{ room, members }]
 *   GET    /admin/rooms/:room/faults         the room's LinkFaultRule list
 *   POST   /admin/rooms/:room/faults         body: LinkFaultRule; sets (or, if empty, removes) it
 *   DELETE /admin/rooms/:room/faults         heals every link; `?a=x&b=y` heals x ↔ y only
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { NodeId } from '@webraft/core';
import { FaultRuleError, parseLinkFaultRule, type LinkFaultRule } from '../faults.ts';
import { requestUrl } from './admission.ts';
import type { RelayStats } from './stats.ts';

/** What the admin API reads and edits. Lookups make no fault table, so asking about made-up rooms leaves nothing behind. */
export interface AdminTarget {
  stats(): RelayStats;
  rooms(): { room: string; members: NodeId[] }[];
  faultRules(room: string): LinkFaultRule[];
  setFault(room: string, rule: LinkFaultRule): void;
  /** Heals every link of `room`, or `a` ↔ `b`. */
  healFaults(room: string, a?: NodeId, b?: NodeId): void;
}

const maxBodyBytes = 16 * 1024;

export function handleAdmin(request: IncomingMessage, response: ServerResponse, relay: AdminTarget, token: string | undefined): void {
  if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
    return reply(response, 401, { error: 'admin token required' });
  }
  const url = requestUrl(request.url);
  if (url === undefined) return reply(response, 400, { error: 'request target does not parse' });
  const method = request.method ?? 'GET';
  if (url.pathname === '/admin/stats' && method === 'GET') return reply(response, 200, relay.stats());
  if (url.pathname === '/admin/rooms' && method === 'GET') return reply(response, 200, relay.rooms());

  const match = /^\/admin\/rooms\/([^/]+)\/faults$/.exec(url.pathname);
  if (match === null) return reply(response, 404, { error: 'no such admin resource' });
  const room = decodeComponent(match[1]!);
  if (room === undefined) return reply(response, 400, { error: 'room name is not valid percent-encoding' });
  if (method === 'GET') return reply(response, 200, relay.faultRules(room));
  if (method === 'DELETE') {
    const a = url.searchParams.get('a');
    const b = url.searchParams.get('b');
    if (a !== null && b !== null) relay.healFaults(room, a, b);
    else relay.healFaults(room);
    return reply(response, 200, relay.faultRules(room));
  }
  if (method !== 'POST') return reply(response, 405, { error: 'method not allowed' });
  readBody(request).then(
    (body) => {
      try {
        const rule = parseLinkFaultRule(JSON.parse(body));
        relay.setFault(room, rule);
        reply(response, 200, relay.faultRules(room));
      } catch (error) {
        const message = error instanceof FaultRuleError || error instanceof SyntaxError ? error.message : 'bad rule';
        reply(response, 400, { error: message });
      }
    },
    (error: Error) => reply(response, 413, { error: error.message }),
  );
}

/** `decodeURIComponent`, which throws a URIError on input like `%ZZ`; undefined instead. */
function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
