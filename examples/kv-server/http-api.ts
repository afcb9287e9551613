// The HTTP API of one node. Every node takes every request: writes are proposed on the node
// that received them and forwarded by Raft to the leader; reads are linearizable (ReadIndex)
// on whichever node answers. No client ever needs to find the leader.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotLeaderError, ProposalDroppedError, ProposalRefusedError, TimeoutError, type RaftNode } from '@webraft/core';
import type { KvCommand, KvStateMachine } from './kv.ts';

const maxBodyBytes = 64 * 1024;

class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** What the node read from its log at start-up, shown by GET /status. */
export interface LoadedLog {
  readonly term: number;
  readonly lastIndex: number;
  readonly commit: number;
}

export function kvHandler(node: RaftNode<KvStateMachine>, loaded: LoadedLog) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const { status, body } = await route(node, loaded, req);
      send(res, status, body);
    } catch (error) {
      const e = toHttpError(error, node);
      send(res, e.status, { error: e.message, ...e.extra });
    }
  };
}

async function route(node: RaftNode<KvStateMachine>, loaded: LoadedLog, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/status') {
    const s = node.status();
    return { status: 200, body: { id: s.id, role: s.role, term: s.term, leader: s.lead, commit: s.commit, applied: s.applied, lastIndex: s.lastIndex, loaded } };
  }
  if (req.method === 'GET' && path === '/members') return { status: 200, body: { ...node.members(), leader: node.leader } };
  const match = /^\/kv\/([^/]+)(\/cas)?$/.exec(path);
  if (match === null) throw new HttpError(404, 'no such resource');
  const key = decodeURIComponent(match[1]!);
  if (match[2] !== undefined) {
    if (req.method !== 'POST') throw new HttpError(405, 'cas takes POST');
    const body = await readJson(req);
    if (!('value' in body) || typeof body.value !== 'string') throw new HttpError(400, 'body needs "value" (a string)');
    if (!('expected' in body) || (typeof body.expected !== 'string' && body.expected !== null)) throw new HttpError(400, 'body needs "expected" (a string, or null for absent)');
    const result = await propose(node, { op: 'cas', key, expected: body.expected, value: body.value });
    return { status: 'ok' in result && result.ok ? 200 : 409, body: result };
  }
  switch (req.method) {
    case 'GET': {
      const value = await node.read((kv) => kv.data.get(key));
      return value === undefined ? { status: 404, body: { key, value: null } } : { status: 200, body: { key, value } };
    }
    case 'PUT': {
      const body = await readJson(req);
      if (typeof body.value !== 'string') throw new HttpError(400, 'body needs "value" (a string)');
      return { status: 200, body: await propose(node, { op: 'put', key, value: body.value }) };
    }
    case 'DELETE':
      return { status: 200, body: await propose(node, { op: 'delete', key }) };
    default:
      throw new HttpError(405, `${req.method} not allowed on /kv/:key`);
  }
}

function propose(node: RaftNode<KvStateMachine>, command: KvCommand) {
  return node.propose(command, { timeoutMs: 5000 });
}

function toHttpError(error: unknown, node: RaftNode<KvStateMachine>): HttpError {
  if (error instanceof HttpError) return error;
  // 503: definitely not applied, retry (anywhere). 504: the outcome is unknown.
  if (error instanceof NotLeaderError) return new HttpError(503, error.message, { leader: error.leader || node.leader || null });
  if (error instanceof ProposalDroppedError || error instanceof ProposalRefusedError) return new HttpError(503, error.message, { leader: node.leader || null });
  if (error instanceof TimeoutError) return new HttpError(504, error.message, { outcome: 'unknown' });
  return new HttpError(500, (error as Error).message ?? String(error));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new HttpError(413, `body over ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the same answer as a body that is JSON but not an object.
  }
  throw new HttpError(400, 'body must be a JSON object');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
