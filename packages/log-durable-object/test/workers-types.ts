// Checked by `tsc -p test` only: the storage of a Durable Object, as Cloudflare's own type
// describes it, fits the store's `DurableObjectStorageLike` without a cast.
import type { DurableObjectStorage } from '@cloudflare/workers-types';
import { durableObjectLogStore, type DurableObjectLogStore, type DurableObjectStorageLike } from '../src/index.ts';

export const asStorage = (storage: DurableObjectStorage): DurableObjectStorageLike => storage;
export const openOn = (storage: DurableObjectStorage): DurableObjectLogStore => durableObjectLogStore(storage);
