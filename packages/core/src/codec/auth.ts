/**
 * HMAC-SHA-256 over frames with WebCrypto (browsers, Node ≥ 20, Deno, workers all have
 * `globalThis.crypto.subtle`). Imported keys are cached per secret, since importKey is slow
 * compared with one signature.
 */

/** A cluster secret: text, raw key bytes, or an HMAC CryptoKey allowed to sign and verify. */
export type FrameSecret = string | Uint8Array | CryptoKey;

export const MAC_BYTES = 32;

const byText = new Map<string, Promise<CryptoKey>>();
const byBytes = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new Error('WebCrypto (crypto.subtle) is not available: frames cannot be authenticated here');
  return s;
}

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

export function frameKey(secret: FrameSecret): Promise<CryptoKey> {
  if ((typeof secret === 'string' || secret instanceof Uint8Array) && secret.length === 0) {
    return Promise.reject(new TypeError('the cluster secret must not be empty'));
  }
  if (typeof secret === 'string') {
    let key = byText.get(secret);
    if (key === undefined) byText.set(secret, (key = importKey(new TextEncoder().encode(secret))));
    return key;
  }
  if (secret instanceof Uint8Array) {
    let key = byBytes.get(secret);
    if (key === undefined) byBytes.set(secret, (key = importKey(secret.slice())));
    return key;
  }
  return Promise.resolve(secret);
}

export async function sign(secret: FrameSecret, data: Uint8Array): Promise<Uint8Array> {
  const mac = await subtle().sign('HMAC', await frameKey(secret), data as Uint8Array<ArrayBuffer>);
  return new Uint8Array(mac);
}

/** Constant-time comparison is WebCrypto's job: `verify`, not comparing signatures by hand. */
export async function verify(secret: FrameSecret, data: Uint8Array, mac: Uint8Array): Promise<boolean> {
  return subtle().verify('HMAC', await frameKey(secret), mac as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
}
