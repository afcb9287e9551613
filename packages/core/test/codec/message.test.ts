import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  EncodeError,
  decodeMessage,
  encodeMessage,
  messageTypes,
  type Message,
} from '../../src/index.ts';
import { sampleMessages } from '../../src/testing/index.ts';

function decodeError(bytes: Uint8Array): DecodeError {
  try {
    decodeMessage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('message codec', () => {
  it('round-trips one message of every type with every field', () => {
    const samples = sampleMessages('n1', 'nœud-2');
    expect(samples.map((m) => m.type).sort()).toEqual([...messageTypes].sort());
    for (const message of samples) {
      const decoded = decodeMessage(encodeMessage(message));
      expect(decoded).toEqual(message);
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(message).sort());
    }
  });

  it('is compact: a heartbeat response is a handful of bytes', () => {
    const bytes = encodeMessage({ type: 'heartbeatResp', from: 'a', to: 'b', term: 3, context: new Uint8Array(), storeTag: 0 });
    expect(bytes.length).toBe(8);
  });

  it('copies byte fields so a decoded message never aliases the input', () => {
    const bytes = encodeMessage({ type: 'readIndex', from: 'a', to: 'b', term: 1, context: Uint8Array.of(1, 2) });
    const decoded = decodeMessage(bytes) as Extract<Message, { type: 'readIndex' }>;
    bytes.fill(0);
    expect([...decoded.context]).toEqual([1, 2]);
  });

  it('refuses to encode what it could not decode', () => {
    const ok: Message = { type: 'timeoutNow', from: 'a', to: 'b', term: 1 };
    const bad: [unknown, RegExp][] = [
      [{ ...ok, term: -1 }, /term must be a non-negative safe integer/],
      [{ ...ok, term: 2 ** 53 }, /term must be a non-negative safe integer/],
      [{ ...ok, from: '' }, /from must not be empty/],
      [{ ...ok, to: 'x'.repeat(65) }, /to is 65 UTF-8 bytes/],
      [{ ...ok, to: '\ud800' }, /not well-formed/],
      [{ ...ok, type: 'hup' }, /unknown message type hup/],
      [{ type: 'app', from: 'a', to: 'b', term: 1, prevLogIndex: 4, prevLogTerm: 1, commit: 0, entries: [{ index: 6, term: 1, type: 'normal', data: new Uint8Array() }] }, /contiguous after prevLogIndex/],
      [{ type: 'prop', from: 'a', to: 'b', term: 1, entries: [{ index: 0, term: 0, type: 'weird', data: new Uint8Array() }] }, /prop.entries\[0\].type weird is unknown/],
      [{ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0, context: [1] }, /heartbeat.context must be a Uint8Array/],
      [{ type: 'snap', from: 'a', to: 'b', term: 1, meta: { index: 1, term: 1, conf: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, offset: 0, data: new Uint8Array(4), done: true, totalBytes: 5 }, /not at totalBytes 5/],
    ];
    for (const [message, pattern] of bad) {
      expect(() => encodeMessage(message as Message)).toThrow(EncodeError);
      expect(() => encodeMessage(message as Message)).toThrow(pattern);
    }
  });

  it('names what is wrong in malformed input', () => {
    // The last two bytes are `reject` and a one-byte `storeTag`.
    const valid = encodeMessage({ type: 'voteResp', from: 'a', to: 'b', term: 5, pre: false, reject: true, storeTag: 0 });
    expect(decodeError(new Uint8Array()).message).toMatch(/truncated: message type is missing/);
    expect(decodeError(Uint8Array.of(0x63)).reason).toBe('unknownType');
    expect(decodeError(valid.subarray(0, valid.length - 2)).message).toMatch(/truncated: voteResp.reject is missing/);
    expect(decodeError(Uint8Array.of(...valid, 0)).message).toMatch(/1 trailing bytes/);
    const badBool = valid.slice();
    badBool[badBool.length - 2] = 2;
    expect(decodeError(badBool).message).toMatch(/voteResp.reject is not a boolean/);
    const emptyFrom = Uint8Array.of(2, 0, 1, 0x62, 5, 0, 1);
    expect(decodeError(emptyFrom)).toMatchObject({ reason: 'impossibleField', message: 'from is empty' });
    const overlong = Uint8Array.of(2, 1, 0x61, 1, 0x62, 0x85, 0x00, 0, 1);
    expect(decodeError(overlong).message).toMatch(/term is an over-long varint/);
    const huge = Uint8Array.of(2, 1, 0x61, 1, 0x62, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 1);
    expect(decodeError(huge).message).toMatch(/term exceeds 2\^53 - 1/);
    const badUtf8 = Uint8Array.of(2, 1, 0xc3, 1, 0x62, 5, 0, 1);
    expect(decodeError(badUtf8).message).toMatch(/from is not valid UTF-8/);
    const lyingCount = Uint8Array.of(10, 1, 0x61, 1, 0x62, 1, 0xff, 0xff, 0xff, 0x0f);
    expect(decodeError(lyingCount).message).toMatch(/prop.entries claims \d+ items/);
  });

  it('reports the claimed sender once it was read', () => {
    const valid = encodeMessage({ type: 'voteResp', from: 'mallory', to: 'b', term: 5, pre: false, reject: true, storeTag: 0 });
    const error = decodeError(valid.subarray(0, valid.length - 1));
    expect(error.from).toBe('mallory');
    expect(error.toRejection()).toEqual({ reason: 'decode', detail: error.message, from: 'mallory' });
  });

  it('membership requests: an empty leader hint passes, unknown wishes and statuses and bad nonces do not', () => {
    const answer: Message = { type: 'memberResp', from: 'a', to: 'j', term: 0, subject: 'j', nonce: Uint8Array.of(1), status: 'notLeader', leader: '' };
    expect(decodeMessage(encodeMessage(answer))).toEqual(answer);
    const request: Message = { type: 'member', from: 'j', to: 'a', term: 0, subject: 'j', nonce: Uint8Array.of(1, 2), wish: 'voter' };
    const bad: [unknown, RegExp][] = [
      [{ ...request, wish: 'admin' }, /member.wish admin is unknown/],
      [{ ...request, nonce: new Uint8Array() }, /member.nonce is 0 bytes/],
      [{ ...request, nonce: new Uint8Array(65) }, /member.nonce is 65 bytes/],
      [{ ...request, subject: '' }, /subject must not be empty/],
      [{ ...answer, status: 'maybe' }, /memberResp.status maybe is unknown/],
    ];
    for (const [message, pattern] of bad) expect(() => encodeMessage(message as Message)).toThrow(pattern);
    const forged = encodeMessage(request);
    forged[forged.length - 1] = 0x78; // 'voter' -> 'votex'
    expect(decodeError(forged)).toMatchObject({ reason: 'impossibleField', message: 'member.wish votex is unknown' });
  });

  it('keeps a leading byte-order mark in an id', () => {
    const message: Message = { type: 'timeoutNow', from: '\ufeffa', to: 'b', term: 1 };
    expect(decodeMessage(encodeMessage(message))).toEqual(message);
  });
});
