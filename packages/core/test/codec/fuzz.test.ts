import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeFrame, decodeMessage, encodeFrame, encodeMessage, type Message } from '../../src/index.ts';
import { clusterId, message } from './arbitraries.ts';

/** Every outcome of decoding untrusted bytes is a message or a DecodeError: nothing else escapes. */
function decodeOrError(bytes: Uint8Array): Message | DecodeError {
  try {
    return decodeMessage(bytes);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

async function decodeFrameOrError(bytes: Uint8Array, secret?: string): Promise<Message | DecodeError> {
  try {
    return (await decodeFrame(bytes, secret === undefined ? {} : { secret })).message;
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof<fc.Arbitrary<Mutation>[]>(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

type Mutation = { kind: 'flip' | 'set' | 'insert' | 'delete'; at: number; bit?: number; value?: number };

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = bytes.slice();
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === 'flip') out[at] = out[at]! ^ (1 << m.bit!);
    else if (m.kind === 'set') out[at] = m.value!;
    else if (m.kind === 'insert') out = Uint8Array.of(...out.subarray(0, at), m.value!, ...out.subarray(at));
    else out = Uint8Array.of(...out.subarray(0, at), ...out.subarray(at + 1));
  }
  return out;
}

describe('codec fuzzing', { timeout: 30_000 }, () => {
  it('round-trips arbitrary valid messages', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual(m);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips arbitrary frames, authenticated or not', async () => {
    await fc.assert(
      fc.asyncProperty(message, clusterId, fc.option(fc.string({ minLength: 1 }), { nil: undefined }), async (m, cluster, secret) => {
        const options = secret === undefined ? {} : { secret };
        expect(await decodeFrame(await encodeFrame({ clusterId: cluster, message: m }, options), options)).toEqual({
          clusterId: cluster,
          message: m,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes decode to a DecodeError or to a message that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const outcome = decodeOrError(bytes);
        if (!(outcome instanceof DecodeError)) expect(encodeMessage(outcome)).toEqual(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('random bytes after a valid tag exercise every message decoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 13 }), fc.uint8Array({ maxLength: 120 }), (tag, rest) => {
        const bytes = Uint8Array.of(tag, 1, 0x61, 1, 0x62, 1, ...rest);
        const outcome = decodeOrError(bytes);
        if (!(outcome instanceof DecodeError)) expect(encodeMessage(outcome)).toEqual(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('mutated valid messages decode to a DecodeError or a valid, canonical message', () => {
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
        const bytes = mutate(encodeMessage(m), mutations);
        const outcome = decodeOrError(bytes);
        if (!(outcome instanceof DecodeError)) expect(encodeMessage(outcome)).toEqual(bytes);
      }),
      { numRuns: 1500 },
    );
  });

  it('every proper prefix of a message is a DecodeError', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        for (let cut = 0; cut < bytes.length; cut++) {
          if (!(decodeOrError(bytes.subarray(0, cut)) instanceof DecodeError)) throw new Error(`prefix of ${cut} bytes decoded`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('mutated or truncated authenticated frames never decode as anything but the original', async () => {
    await fc.assert(
      fc.asyncProperty(message, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(), async (m, mutations, cut) => {
        const bytes = await encodeFrame({ clusterId: 'c', message: m }, { secret: 'k' });
        const mutated = mutate(bytes, mutations);
        const outcome = await decodeFrameOrError(mutated, 'k');
        // Only a mutation that left the bytes unchanged (e.g. set a byte to its value) can verify.
        if (!(outcome instanceof DecodeError)) expect(mutated).toEqual(bytes);
        const truncated = await decodeFrameOrError(bytes.subarray(0, cut % bytes.length), 'k');
        expect(truncated).toBeInstanceOf(DecodeError);
      }),
      { numRuns: 300 },
    );
  });
});
