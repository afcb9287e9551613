import { describe, expect, it } from 'vitest';
import { JsonCodecError, jsonCodec } from '../../src/node/codecs.ts';
import { InvalidArgumentError } from '../../src/node/errors.ts';
import { RaftNode } from '../../src/node/raft-node.ts';
import { MemoryLogStore } from '../../src/storage/memory.ts';
import { createMemoryNetwork } from '../../src/testing/index.ts';

const codec = jsonCodec<unknown>();

function refusal(value: unknown): JsonCodecError {
  try {
    codec.encode(value);
  } catch (error) {
    if (error instanceof JsonCodecError) return error;
    throw error;
  }
  throw new Error(`encoded ${String(value)} without complaint`);
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('jsonCodec refuses what JSON would change, naming where it is', () => {
  const cycle: Record<string, unknown> = { name: 'loop', inner: { list: [] as unknown[] } };
  (cycle.inner as { list: unknown[] }).list.push(cycle);

  it.each<[string, unknown, string]>([
    ['a Date', { items: [{}, {}, { when: new Date(0) }] }, 'command.items[2].when: Date is not JSON'],
    ['a Map', { index: new Map([['a', 1]]) }, 'command.index: Map is not JSON'],
    ['a Set', [new Set([1])], 'command[0]: Set is not JSON'],
    ['NaN', { price: Number.NaN }, 'command.price: NaN is not JSON (it would arrive as null)'],
    ['Infinity', { limits: [1, Number.POSITIVE_INFINITY] }, 'command.limits[1]: Infinity is not JSON (it would arrive as null)'],
    ['-Infinity', -Infinity, 'command: -Infinity is not JSON (it would arrive as null)'],
    ['undefined in an array', { tags: ['a', undefined] }, 'command.tags[1]: undefined in an array is not JSON (it would arrive as null)'],
    // biome-ignore lint/suspicious/noSparseArray: the hole is what this case is about
    ['a hole in an array', { tags: ['a', , 'c'] }, 'command.tags[1]: undefined in an array is not JSON (it would arrive as null)'],
    ['a function', { onDone: () => undefined }, 'command.onDone: a function is not JSON'],
    ['a toJSON method', { toJSON: () => 'x' }, 'command.toJSON: a function is not JSON'],
    ['a BigInt', { amount: 10n }, 'command.amount: a BigInt is not JSON'],
    ['a symbol', { kind: Symbol('k') }, 'command.kind: a symbol is not JSON'],
    ['a class instance', { at: new Point(1, 2) }, 'command.at: Point is not JSON'],
    ['bytes', { data: new Uint8Array(2) }, 'command.data: Uint8Array is not JSON'],
    ['a cycle', cycle, 'command.inner.list[0]: a cycle: this refers back to a value that contains it'],
    ['an odd key', { 'user id': { 'x-y': new Date(0) } }, 'command["user id"]["x-y"]: Date is not JSON'],
  ])('%s', (_, value, message) => {
    const error = refusal(value);
    expect(error.name).toBe('JsonCodecError');
    expect(error.message).toBe(message);
    expect(`${error.path}: ${error.problem}`).toBe(message);
  });

  it('finds a problem deeper than the quick check goes', () => {
    let deep: unknown = { when: new Date(0) };
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(refusal(deep).message).toBe(`command${'[0]'.repeat(100)}.when: Date is not JSON`);
  });

  it('names the value as told', () => {
    expect(() => jsonCodec({ label: 'result' }).encode({ at: new Date(0) })).toThrow('result.at: Date is not JSON');
  });

  it('without strict, encodes as JSON.stringify does', () => {
    const loose = jsonCodec<unknown>({ strict: false });
    expect(loose.decode(loose.encode({ at: new Date(0), n: Number.NaN }))).toEqual({ at: '1970-01-01T00:00:00.000Z', n: null });
  });
});

describe('jsonCodec encodes plain data as it is', () => {
  it.each<[string, unknown]>([
    ['a string', 'hello'],
    ['numbers', [0, -1.5, 1e300, Number.MAX_SAFE_INTEGER]],
    ['booleans and null', { yes: true, no: false, none: null }],
    ['nesting', { a: [{ b: [[], {}] }], c: { d: { e: 'f' } } }],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { k: 1 })],
    ['deep data', JSON.parse(`${'['.repeat(200)}1${']'.repeat(200)}`)],
  ])('%s', (_, value) => {
    expect(codec.decode(codec.encode(value))).toEqual(value);
  });

  it('shares an object in two places (not a cycle) and leaves out undefined properties, as JSON does', () => {
    const shared = { k: 1 };
    expect(codec.decode(codec.encode({ a: shared, b: [shared], gone: undefined }))).toEqual({ a: shared, b: [shared] });
  });

  it('still encodes undefined as zero bytes', () => {
    expect(codec.encode(undefined)).toEqual(new Uint8Array(0));
    expect(codec.decode(new Uint8Array(0))).toBeUndefined();
  });
});

it('a RaftNode refuses such a command with InvalidArgumentError, caused by the JsonCodecError naming the path', async () => {
  const network = createMemoryNetwork();
  const node = await RaftNode.create({
    id: 'a',
    members: ['a'],
    stateMachine: { apply: () => undefined, snapshot: () => new Uint8Array(0), restore: () => undefined },
    log: new MemoryLogStore(),
    transport: network.transport('a'),
  });
  await node.start();
  try {
    const error = await node.propose({ items: [1, 2, { when: new Date(0) }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).cause).toBeInstanceOf(JsonCodecError);
    expect(((error as Error).cause as Error).message).toBe('command.items[2].when: Date is not JSON');
  } finally {
    await node.stop();
  }
});
