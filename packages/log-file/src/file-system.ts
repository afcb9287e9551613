/**
 * The file operations the store needs, as one small interface: the seam where tests put a
 * disk that loses unsynced writes or fails with ENOSPC. {@link nodeFileSystem} implements it
 * on `node:fs`, which Node, Deno and Bun all provide, so one code path serves the three.
 * Failures reject with an Error carrying Node's `code` (`ENOENT`, `EEXIST`, `ENOSPC`, ...).
 */
import * as fs from 'node:fs';

/** An open file. Writes are positional: the store always knows where its bytes go. */
export interface LogFile {
  /** Writes all of `data` at `position` (looping over short writes). */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Reads up to `length` bytes at `position`; fewer only at the end of the file. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** fdatasync: the data, and the size when it changed, are on disk when this resolves. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface LogFileSystem {
  /** Creates the directory and its missing parents; true when it did not exist. */
  makeDirectory(path: string): Promise<boolean>;
  /** The names in a directory. */
  list(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  /** Creates a new file for reading and writing; rejects with `EEXIST` if the name is taken. */
  create(path: string): Promise<LogFile>;
  /** Opens an existing file for reading and writing. */
  open(path: string): Promise<LogFile>;
  /** Gives `to` the file at `from`, replacing whatever `to` named. */
  rename(from: string, to: string): Promise<void>;
  /** Gives `to` the file at `from` too; rejects with `EEXIST` if `to` exists (an atomic create). */
  link(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** fsync of the directory itself: names created, renamed or removed in it are durable. */
  syncDirectory(path: string): Promise<void>;
}

const done = <T>(resolve: (value: T) => void, reject: (error: unknown) => void) =>
  (error: NodeJS.ErrnoException | null, value: T): void => (error ? reject(error) : resolve(value));

function call<T>(start: (callback: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start(done(resolve, reject)));
}

class NodeFile implements LogFile {
  constructor(private readonly fd: number) {}

  async write(data: Uint8Array, position: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const n = await call<number>((cb) => fs.write(this.fd, data, written, data.length - written, position + written, cb));
      written += n;
    }
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = await call<number>((cb) => fs.read(this.fd, out, got, length - got, position + got, cb));
      if (n === 0) break;
      got += n;
    }
    return got === length ? out : out.subarray(0, got);
  }

  datasync(): Promise<void> {
    return call<void>((cb) => fs.fdatasync(this.fd, (error) => cb(error, undefined)));
  }

  truncate(length: number): Promise<void> {
    return call<void>((cb) => fs.ftruncate(this.fd, length, (error) => cb(error, undefined)));
  }

  async size(): Promise<number> {
    return (await call<fs.Stats>((cb) => fs.fstat(this.fd, cb))).size;
  }

  close(): Promise<void> {
    return call<void>((cb) => fs.close(this.fd, (error) => cb(error ?? null, undefined)));
  }
}

/** The real file system, through `node:fs`. */
export function nodeFileSystem(): LogFileSystem {
  const open = async (path: string, flags: string): Promise<LogFile> => new NodeFile(await call<number>((cb) => fs.open(path, flags, 0o644, cb)));
  return {
    async makeDirectory(path) {
      // stat, not access: Deno's access asks for permission to read the user id.
      const exists = await call<fs.Stats>((cb) => fs.stat(path, cb)).then(() => true, () => false);
      if (exists) return false;
      await call<string | undefined>((cb) => fs.mkdir(path, { recursive: true }, cb));
      return true;
    },
    list: (path) => call<string[]>((cb) => fs.readdir(path, cb)),
    // A plain Uint8Array view: entries and snapshots handed to callers are not Buffers.
    readFile: async (path) => {
      const bytes = await call<Buffer>((cb) => fs.readFile(path, cb));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    },
    create: (path) => open(path, 'wx+'),
    open: (path) => open(path, 'r+'),
    rename: (from, to) => call<void>((cb) => fs.rename(from, to, (error) => cb(error, undefined))),
    link: (from, to) => call<void>((cb) => fs.link(from, to, (error) => cb(error, undefined))),
    remove: (path) => call<void>((cb) => fs.unlink(path, (error) => cb(error, undefined))),
    async syncDirectory(path) {
      const fd = await call<number>((cb) => fs.open(path, 'r', cb));
      try {
        await call<void>((cb) => fs.fsync(fd, (error) => cb(error, undefined)));
      } finally {
        await call<void>((cb) => fs.close(fd, (error) => cb(error ?? null, undefined)));
      }
    },
  };
}
