/**
 * A disk in memory that behaves like one under power loss: file contents count only once
 * synced (fdatasync), names only once their directory is synced. `crash()` returns the disk as
 * it comes back: every synced byte, plus a random prefix of the unsynced appends with random
 * sectors of it never written (zeros). Operations can be made to fail (ENOSPC, EIO).
 */
import type { LockOwner } from '../src/errors.ts';
import type { LogFile, LogFileSystem } from '../src/file-system.ts';
import type { LockHost } from '../src/lock.ts';

class Inode {
  #buffer = new Uint8Array(0);
  length = 0;
  /** The contents as of the last sync. */
  synced = new Uint8Array(0);

  get data(): Uint8Array {
    return this.#buffer.subarray(0, this.length);
  }

  set data(bytes: Uint8Array) {
    this.#buffer = bytes.slice();
    this.length = bytes.length;
  }

  write(bytes: Uint8Array, position: number): void {
    const end = position + bytes.length;
    if (end > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(end, this.#buffer.length * 2));
      grown.set(this.data);
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, position);
    this.length = Math.max(this.length, end);
  }

  truncate(length: number): void {
    if (length < this.length) this.#buffer.fill(0, length, this.length);
    else this.write(new Uint8Array(length - this.length), this.length);
    this.length = length;
  }
}

export type Fault = (op: string, path: string) => string | undefined;

const fsError = (code: string, op: string, path: string): Error => Object.assign(new Error(`${code}: ${op} '${path}'`), { code });

let generations = 0;

export class FaultFileSystem implements LogFileSystem {
  /** Names as a running process sees them. */
  readonly names = new Map<string, Inode>();
  /** Names as they would come back after a crash. */
  readonly durableNames = new Map<string, Inode>();
  readonly dirs = new Set<string>(['/']);
  /** Return an errno code to make an operation fail. */
  fault: Fault | undefined;
  /** This disk's "process": a crash starts a new one, so the old owner's lock is stale. */
  readonly generation = ++generations;
  #dead = false;

  /** A lock host whose only running process is this disk's generation. */
  readonly lockHost: LockHost = {
    self: async (): Promise<LockOwner> => ({ pid: this.generation, start: 'sim', runtime: 'sim' }),
    isRunning: async (owner) => owner.pid === this.generation,
  };

  /** Each operation first yields to the event loop, as real I/O does, so a crash can fall between any two. */
  async #check(op: string, path: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#dead) throw fsError('EIO', op, path);
    const code = this.fault?.(op, path);
    if (code !== undefined) throw fsError(code, op, path);
  }

  /** The disk as it comes back from a power cut; this one refuses everything from now on. */
  crash(random: () => number): FaultFileSystem {
    this.#dead = true;
    const after = new FaultFileSystem();
    for (const d of this.dirs) after.dirs.add(d);
    const copies = new Map<Inode, Inode>();
    for (const [name, inode] of this.durableNames) {
      let copy = copies.get(inode);
      if (copy === undefined) {
        copy = new Inode();
        copy.data = survivingBytes(inode, random);
        copy.synced = copy.data.slice();
        copies.set(inode, copy);
      }
      after.names.set(name, copy);
      after.durableNames.set(name, copy);
    }
    return after;
  }

  async makeDirectory(path: string): Promise<boolean> {
    await this.#check('mkdir', path);
    if (this.dirs.has(path)) return false;
    let at = '';
    for (const part of path.split('/').filter(Boolean)) this.dirs.add((at += `/${part}`));
    return true;
  }

  async list(path: string): Promise<string[]> {
    await this.#check('readdir', path);
    if (!this.dirs.has(path)) throw fsError('ENOENT', 'readdir', path);
    return [...this.names.keys()].filter((name) => parent(name) === path).map((name) => name.slice(path.length + 1));
  }

  async readFile(path: string): Promise<Uint8Array> {
    await this.#check('read', path);
    return this.#inode(path, 'read').data.slice();
  }

  async create(path: string): Promise<LogFile> {
    await this.#check('create', path);
    if (!this.dirs.has(parent(path))) throw fsError('ENOENT', 'create', path);
    if (this.names.has(path)) throw fsError('EEXIST', 'create', path);
    const inode = new Inode();
    this.names.set(path, inode);
    return this.#file(inode, path);
  }

  async open(path: string): Promise<LogFile> {
    await this.#check('open', path);
    return this.#file(this.#inode(path, 'open'), path);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#check('rename', from);
    const inode = this.#inode(from, 'rename');
    this.names.delete(from);
    this.names.set(to, inode);
  }

  async link(from: string, to: string): Promise<void> {
    await this.#check('link', from);
    const inode = this.#inode(from, 'link');
    if (this.names.has(to)) throw fsError('EEXIST', 'link', to);
    this.names.set(to, inode);
  }

  async remove(path: string): Promise<void> {
    await this.#check('unlink', path);
    this.#inode(path, 'unlink');
    this.names.delete(path);
  }

  async syncDirectory(path: string): Promise<void> {
    await this.#check('fsync', path);
    for (const name of [...this.durableNames.keys()]) if (parent(name) === path && !this.names.has(name)) this.durableNames.delete(name);
    for (const [name, inode] of this.names) if (parent(name) === path) this.durableNames.set(name, inode);
  }

  #inode(path: string, op: string): Inode {
    const inode = this.names.get(path);
    if (inode === undefined) throw fsError('ENOENT', op, path);
    return inode;
  }

  #file(inode: Inode, path: string): LogFile {
    const check = (op: string): Promise<void> => this.#check(op, path);
    return {
      async write(bytes, position) {
        await check('write');
        inode.write(bytes, position);
      },
      async read(position, length) {
        await check('read');
        return inode.data.slice(position, position + length);
      },
      async datasync() {
        await check('fdatasync');
        inode.synced = inode.data.slice();
      },
      async truncate(length) {
        await check('ftruncate');
        inode.truncate(length);
      },
      async size() {
        await check('fstat');
        return inode.data.length;
      },
      async close() {},
    };
  }
}

function parent(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

/** Synced bytes, then (for an append) a random part of what was not synced, with some sectors lost. */
function survivingBytes(inode: Inode, random: () => number): Uint8Array {
  const { data, synced } = inode;
  const appended = data.length > synced.length && synced.every((b, i) => data[i] === b);
  if (!appended) return synced;
  const keep = Math.floor(random() * (data.length - synced.length + 1));
  const out = data.slice(0, synced.length + keep);
  if (random() < 0.5) {
    for (let sector = Math.floor(synced.length / 512) * 512; sector < out.length; sector += 512) {
      if (random() < 0.3) out.fill(0, Math.max(sector, synced.length), Math.min(sector + 512, out.length));
    }
  }
  return out;
}
