/**
 * The frame: what transports put on the wire. Layout:
 *
 *   magic 0xA7 | version | flags | clusterId (u8 length + UTF-8) | message | [HMAC-SHA-256, 32 bytes]
 *
 * Flag bit 0 says the frame ends with an HMAC over every byte before it, keyed by the cluster
 * secret. A receiver with a secret accepts only frames it can verify; one without a secret
 * refuses authenticated frames (a misconfigured cluster shows up at once instead of half working).
 * The MAC makes a frame unforgeable and unalterable by anyone without the secret; it does not
 * stop a replay, which Raft tolerates like any duplicated message.
 */
import type { Message, MessageType, NodeId } from '../raft/types.ts';
import { MAC_BYTES, sign, verify, type FrameSecret } from './auth.ts';
import { Reader, Writer } from './bytes.ts';
import { DecodeError, EncodeError } from './errors.ts';
import { estimateSize, readMessage, writeMessage } from './message.ts';
import { layoutsByTag } from './schema.ts';

export const FRAME_MAGIC = 0xa7;
export const FRAME_VERSION = 1;
const FLAG_AUTHENTICATED = 0x01;
/** magic, version, flags, cluster id length. */
const HEADER_BYTES = 4;

/** @default 16 MiB: a 1 MiB `app` with room to spare, well under what tabs and relays can hold. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface Frame {
  /** Which cluster the message belongs to; `''` when clusters are not told apart. */
  readonly clusterId: string;
  readonly message: Message;
}

export interface FrameOptions {
  /** Authenticate frames with HMAC-SHA-256 under this shared secret. @default none */
  readonly secret?: FrameSecret;
  /** Largest frame accepted or produced. @default 16 MiB */
  readonly maxFrameBytes?: number;
}

export interface DecodeFrameOptions extends FrameOptions {
  /** Refuse frames of any other cluster (reason `clusterMismatch`). @default accept any */
  readonly clusterId?: string;
  /**
   * Refuse frames addressed to anyone else (reason `wrongRecipient`) before spending time on
   * authentication: useful on a broadcast medium. @default accept any
   */
  readonly to?: NodeId;
}

/** The frame up to (not including) its MAC; throws `oversized` against the whole frame's size. */
function encodeBody(frame: Frame, options: FrameOptions): Uint8Array {
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const authenticated = options.secret !== undefined;
  const w = Writer.forSize(estimateSize(frame.message) + 64 + (authenticated ? MAC_BYTES : 0));
  w.byte(FRAME_MAGIC);
  w.byte(FRAME_VERSION);
  w.byte(authenticated ? FLAG_AUTHENTICATED : 0);
  w.id(frame.clusterId, 'clusterId', true);
  writeMessage(w, frame.message);
  const size = w.length + (authenticated ? MAC_BYTES : 0);
  if (size > max) throw new EncodeError('oversized', `frame of ${size} bytes exceeds maxFrameBytes ${max}`);
  return w.finish();
}

export async function encodeFrame(frame: Frame, options: FrameOptions = {}): Promise<Uint8Array> {
  const body = encodeBody(frame, options);
  if (options.secret === undefined) return body;
  const mac = await sign(options.secret, body);
  const out = new Uint8Array(body.length + MAC_BYTES);
  out.set(body);
  out.set(mac, body.length);
  return out;
}

/** {@link encodeFrame} for frames without a secret, without a Promise (hot paths batch many frames per turn). */
export function encodeFrameSync(frame: Frame, options: Pick<FrameOptions, 'maxFrameBytes'> = {}): Uint8Array {
  return encodeBody(frame, options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes });
}

/** What can be read from a frame without verifying it: enough for a relay to route it. */
export interface FrameHeader {
  readonly version: number;
  readonly authenticated: boolean;
  readonly clusterId: string;
  readonly type: MessageType;
  /** As claimed by the frame: trust it only after `decodeFrame` verified the frame. */
  readonly from: NodeId;
  readonly to: NodeId;
}

function toBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new DecodeError('decode', `a frame must be a Uint8Array or ArrayBuffer, got ${describe(input)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** Checks size, magic, version and flags; returns a reader over the body and whether a MAC follows. */
function openFrame(bytes: Uint8Array, max: number): { r: Reader; authenticated: boolean; bodyEnd: number } {
  if (bytes.length > max) throw new DecodeError('oversized', `frame of ${bytes.length} bytes exceeds maxFrameBytes ${max}`);
  if (bytes.length < HEADER_BYTES) throw new DecodeError('decode', `truncated: a frame has at least ${HEADER_BYTES} bytes, got ${bytes.length}`);
  if (bytes[0] !== FRAME_MAGIC) throw new DecodeError('decode', `not a webraft frame (first byte 0x${bytes[0]!.toString(16)})`);
  const version = bytes[1]!;
  if (version !== FRAME_VERSION) {
    throw new DecodeError('decode', `unsupported frame version ${version} (this codec reads version ${FRAME_VERSION})`);
  }
  const flags = bytes[2]!;
  if ((flags & ~FLAG_AUTHENTICATED) !== 0) throw new DecodeError('decode', `unknown frame flags 0x${flags.toString(16)}`);
  const authenticated = (flags & FLAG_AUTHENTICATED) !== 0;
  const bodyEnd = bytes.length - (authenticated ? MAC_BYTES : 0);
  if (bodyEnd < HEADER_BYTES) throw new DecodeError('decode', 'truncated: the frame is too short to hold its MAC');
  return { r: new Reader(bytes, 3, bodyEnd), authenticated, bodyEnd };
}

/** Reads the routing header of a frame without decoding or verifying the rest. */
export function peekFrame(input: Uint8Array | ArrayBuffer, options: Pick<FrameOptions, 'maxFrameBytes'> = {}): FrameHeader {
  const bytes = toBytes(input);
  const { r, authenticated } = openFrame(bytes, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  const clusterId = r.id('clusterId', true);
  const tag = r.byte('message type');
  const layout = layoutsByTag[tag];
  if (layout === undefined) throw r.error('unknownType', 'message type', `tag ${tag} is unknown`);
  const from = r.id('from');
  return { version: bytes[1]!, authenticated, clusterId, type: layout.type, from, to: r.id('to') };
}

/** Reads and checks everything but the MAC; returns what `verify` needs. */
function parseFrame(bytes: Uint8Array, options: Omit<DecodeFrameOptions, 'secret'>, withSecret: boolean): { frame: Frame; authenticated: boolean; bodyEnd: number } {
  const { r, authenticated, bodyEnd } = openFrame(bytes, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  const clusterId = r.id('clusterId', true);
  const message = readMessage(r);
  r.expectEnd('the message');
  const from = message.from;
  if (options.to !== undefined && message.to !== options.to) {
    throw new DecodeError('wrongRecipient', `frame for ${message.to}, not ${options.to}`, from);
  }
  if (options.clusterId !== undefined && clusterId !== options.clusterId) {
    throw new DecodeError('clusterMismatch', `frame of cluster ${JSON.stringify(clusterId)}, expected ${JSON.stringify(options.clusterId)}`, from);
  }
  if (!withSecret && authenticated) throw new DecodeError('auth', 'the frame is authenticated but no cluster secret is configured', from);
  if (withSecret && !authenticated) throw new DecodeError('auth', 'the frame is not authenticated', from);
  return { frame: { clusterId, message }, authenticated, bodyEnd };
}

export async function decodeFrame(input: Uint8Array | ArrayBuffer, options: DecodeFrameOptions = {}): Promise<Frame> {
  const bytes = toBytes(input);
  const { frame, bodyEnd } = parseFrame(bytes, options, options.secret !== undefined);
  if (options.secret !== undefined) {
    const from = frame.message.from;
    let ok: boolean;
    try {
      ok = await verify(options.secret, bytes.subarray(0, bodyEnd), bytes.subarray(bodyEnd));
    } catch (error) {
      throw new DecodeError('auth', `the frame could not be verified: ${String((error as Error)?.message ?? error)}`, from);
    }
    if (!ok) throw new DecodeError('auth', 'the frame failed authentication (wrong secret or altered bytes)', from);
  }
  return frame;
}

/** {@link decodeFrame} for a receiver without a secret (which refuses authenticated frames), without a Promise. */
export function decodeFrameSync(input: Uint8Array | ArrayBuffer, options: Omit<DecodeFrameOptions, 'secret'> = {}): Frame {
  return parseFrame(toBytes(input), options, false).frame;
}

/** Frame options bound once, for a transport's send and receive paths. */
export interface FrameCodec {
  encode(message: Message): Promise<Uint8Array>;
  /** Decodes and checks cluster, recipient (when `to` is given) and authentication. */
  decode(bytes: Uint8Array | ArrayBuffer, to?: NodeId): Promise<Message>;
  /** `encode` without a Promise; present only when there is no secret (HMAC is asynchronous). */
  readonly encodeSync?: (message: Message) => Uint8Array;
  /** `decode` without a Promise; present only when there is no secret. */
  readonly decodeSync?: (bytes: Uint8Array | ArrayBuffer, to?: NodeId) => Message;
}

export function frameCodec(options: FrameOptions & { readonly clusterId?: string } = {}): FrameCodec {
  const clusterId = options.clusterId ?? '';
  // Decode options are built once per recipient rather than spread on every frame.
  const decodeOptions = boundOptions({ ...options, clusterId });
  const codec: FrameCodec = {
    encode: (message) => encodeFrame({ clusterId, message }, options),
    decode: async (bytes, to) => (await decodeFrame(bytes, decodeOptions(to))).message,
  };
  if (options.secret !== undefined) return codec;
  const limit = options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes };
  const syncOptions = boundOptions({ ...limit, clusterId });
  return {
    ...codec,
    encodeSync: (message) => encodeFrameSync({ clusterId, message }, limit),
    decodeSync: (bytes, to) => decodeFrameSync(bytes, syncOptions(to)).message,
  };
}

/** `base`, or `base` with `to`, made once per recipient (a transport decodes for one or a few). */
function boundOptions<T extends object>(base: T): (to: NodeId | undefined) => T & { readonly to?: NodeId } {
  let cached = new Map<NodeId, T & { readonly to: NodeId }>();
  return (to) => {
    if (to === undefined) return base;
    let bound = cached.get(to);
    if (bound === undefined) {
      if (cached.size >= 64) cached = new Map();
      bound = { ...base, to };
      cached.set(to, bound);
    }
    return bound;
  };
}
