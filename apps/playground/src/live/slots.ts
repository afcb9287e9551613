/**
 * The live cluster has a fixed set of named slots (a, b, c by default). A tab takes a free
 * one by holding its Web Lock for as long as the page lives, so two tabs never run the same
 * node. A reload asks for the slot it had (remembered in sessionStorage), which keeps the
 * node's identity and its IndexedDB log.
 */
import type { NodeId } from '@webraft/core';

export const defaultSlots: readonly NodeId[] = ['a', 'b', 'c'];

export class SlotsTakenError extends Error {
  override readonly name = 'SlotsTakenError';
}

const held = new Promise<void>(() => {});

function tryLock(name: string, waitMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const attempt = (deadline: number) => {
      void navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
        if (lock === null) {
          // The previous page of a reload may still be letting go of it.
          if (Date.now() < deadline) setTimeout(() => attempt(deadline), 100);
          else resolve(false);
          return;
        }
        resolve(true);
        await held;
      });
    };
    attempt(Date.now() + waitMs);
  });
}

/** Claims `preferred` if given and free (waiting a little for it), else the first free slot. */
export async function claimSlot(cluster: string, slots: readonly NodeId[], preferred?: NodeId): Promise<NodeId> {
  if (preferred !== undefined && slots.includes(preferred) && (await tryLock(`${cluster}-slot-${preferred}`, 2000))) return preferred;
  for (const slot of slots) {
    if (slot !== preferred && (await tryLock(`${cluster}-slot-${slot}`, 0))) return slot;
  }
  throw new SlotsTakenError(`every slot of ${slots.join(', ')} is taken by another tab`);
}
