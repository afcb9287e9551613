// Picks this tab's node id among the cluster's members: the first one whose Web Lock is free,
// held for the life of the page. The id is remembered in sessionStorage, so a reloaded tab takes
// its own id (and its own IndexedDB log) back.
export async function claimSlot(cluster: string, ids: readonly string[]): Promise<string> {
  const key = `${cluster}:slot`;
  const previous = sessionStorage.getItem(key);
  const order = previous !== null && ids.includes(previous) ? [previous, ...ids.filter((id) => id !== previous)] : ids;
  for (;;) {
    for (const id of order) {
      if (await tryLock(`${cluster}:slot:${id}`)) {
        sessionStorage.setItem(key, id);
        return id;
      }
    }
    // Every slot is taken (more tabs than members, or a reloaded tab's old page has not let go yet).
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function tryLock(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    void navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      // Held until the page goes away.
      return lock === null ? undefined : new Promise<never>(() => {});
    });
  });
}
