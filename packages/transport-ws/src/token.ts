/**
 * Room tokens: `base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, first part))`.
 * Minted by the application's server (or an edge function) holding the relay's secret; the
 * relay admits a connection to a room only with a valid, unexpired token for that room (and
 * for that node, when the token names one). WebCrypto only, so it runs in Node, Deno and
 * edge runtimes alike.
 */
import type { NodeId } from '@webraft/core';

export interface RoomTokenClaims {
  readonly room: string;
  /** Expiry, in ms since the epoch. */
  readonly expiresAt: number;
  /** When set, the token admits only this node id. */
  readonly node?: NodeId;
}

export type TokenRejectReason = 'malformed' | 'signature' | 'expired' | 'wrongRoom' | 'wrongNode';

export class RoomTokenError extends Error {
  override readonly name = 'RoomTokenError';
  constructor(
    readonly reason: TokenRejectReason,
    message: string,
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();

export async function mintRoomToken(secret: string | Uint8Array, claims: RoomTokenClaims): Promise<string> {
  const body = base64url(
    encoder.encode(JSON.stringify({ r: claims.room, e: claims.expiresAt, ...(claims.node !== undefined && { n: claims.node }) })),
  );
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body));
  return `${body}.${base64url(new Uint8Array(mac))}`;
}

/** Resolves with the claims, or rejects with a {@link RoomTokenError} saying why the token is refused. */
export async function verifyRoomToken(
  secret: string | Uint8Array,
  token: string,
  expected: { readonly room: string; readonly node: NodeId; readonly now: number },
): Promise<RoomTokenClaims> {
  const [body, mac, extra] = token.split('.');
  if (body === undefined || mac === undefined || extra !== undefined) throw new RoomTokenError('malformed', 'token is not two parts');
  const signature = fromBase64url(mac);
  if (signature === null) throw new RoomTokenError('malformed', 'signature is not base64url');
  // crypto.subtle.verify compares in constant time.
  const ok = await crypto.subtle.verify('HMAC', await hmacKey(secret), signature, encoder.encode(body));
  if (!ok) throw new RoomTokenError('signature', 'token signature does not match');
  const claims = parseClaims(body);
  if (claims.expiresAt <= expected.now) throw new RoomTokenError('expired', 'token expired');
  if (claims.room !== expected.room) throw new RoomTokenError('wrongRoom', 'token is for another room');
  if (claims.node !== undefined && claims.node !== expected.node) throw new RoomTokenError('wrongNode', 'token is for another node');
  return claims;
}

function parseClaims(body: string): RoomTokenClaims {
  const bytes = fromBase64url(body);
  if (bytes === null) throw new RoomTokenError('malformed', 'claims are not base64url');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new RoomTokenError('malformed', 'claims are not JSON');
  }
  const { r, e, n } = (raw ?? {}) as Record<string, unknown>;
  if (typeof r !== 'string' || typeof e !== 'number' || (n !== undefined && typeof n !== 'string')) {
    throw new RoomTokenError('malformed', 'claims lack room or expiry');
  }
  return { room: r, expiresAt: e, ...(n !== undefined && { node: n }) };
}

const keys = new Map<string | Uint8Array, Promise<CryptoKey>>();

function hmacKey(secret: string | Uint8Array): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    const raw = typeof secret === 'string' ? encoder.encode(secret) : secret;
    key = crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    if (keys.size > 16) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
