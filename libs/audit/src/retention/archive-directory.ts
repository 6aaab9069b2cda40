import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Archive files: `positions-<first store position>-<last store position>.ndjson.gz`. */
export const ARCHIVE_FILE_PATTERN = /^positions-([\d.]+)-([\d.]+)\.ndjson\.gz$/;
/** `positions-<from>-<to>.ndjson.gz`; a PostgreSQL position's `/` (transaction id / sequence) is written `.`. */
export const archiveFileName = (from: string, to: string): string =>
  `positions-${from.replace('/', '.')}-${to.replace('/', '.')}.ndjson.gz`;

const TEMP_PREFIX = '.positions-';
const TEMP_SUFFIX = '.tmp';
const LOCK_FILE = '.retention.lock';
/** A lock not refreshed for this long is taken over (its holder died, maybe on another host). */
const LOCK_STALE_MS = 10 * 60_000;
const LOCK_REFRESH_MS = 30_000;

/** Another retention run holds the archive directory. */
export class RetentionBusyError extends Error {
  constructor(
    readonly lockFile: string,
    holder: string,
  ) {
    super(`Another retention run holds ${lockFile} (${holder}); try again when it has finished`);
    this.name = 'RetentionBusyError';
  }
}

export interface WrittenFile {
  /** The temporary file, complete and fsynced, to rename or remove. */
  temp: string;
  /** The last line written (the export-completed line of an NDJSON export). */
  lastLine: string;
  /** Uncompressed and compressed sizes, bytes. */
  rawBytes: number;
  bytes: number;
}

/**
 * The archive directory of storage retention: one run at a time (a lock file with the holder's pid and host,
 * refreshed while the run works), files written to a temporary name, fsynced, then renamed and the directory
 * fsynced, so a file under its final name is always complete.
 */
export class ArchiveDirectory {
  private lockHeld = false;
  private lockRefreshedAt = 0;

  constructor(readonly dir: string) {}

  /** Creates the directory, takes the lock (RetentionBusyError if another live run has it), removes leftover temporary files. */
  lock(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, LOCK_FILE);
    const holder = JSON.stringify({ pid: process.pid, host: os.hostname() });
    const take = () => fs.writeFileSync(file, holder, { flag: 'wx' });
    const held = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EEXIST';
    try {
      take();
    } catch (error) {
      if (!held(error)) throw error;
      if (!isStale(file)) throw new RetentionBusyError(file, readHolder(file));
      fs.rmSync(file, { force: true });
      try {
        take();
      } catch (again) {
        throw held(again) ? new RetentionBusyError(file, readHolder(file)) : again;
      }
    }
    this.lockHeld = true;
    this.lockRefreshedAt = Date.now();
    for (const name of fs.readdirSync(this.dir))
      if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX))
        fs.rmSync(path.join(this.dir, name), { force: true });
  }

  /** Tells other runs this one is alive (cheap; call it as often as convenient). */
  refreshLock(): void {
    if (!this.lockHeld || Date.now() - this.lockRefreshedAt < LOCK_REFRESH_MS) return;
    const now = new Date();
    fs.utimesSync(path.join(this.dir, LOCK_FILE), now, now);
    this.lockRefreshedAt = now.getTime();
  }

  unlock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    fs.rmSync(path.join(this.dir, LOCK_FILE), { force: true });
  }

  /** Gzip-compresses lines into a new temporary file and fsyncs it. */
  async writeTemporary(lines: AsyncIterable<string>): Promise<WrittenFile> {
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}${TEMP_SUFFIX}`);
    let lastLine = '';
    let rawBytes = 0;
    // Lines are gathered into chunks of about 64 KiB: one write per line would cost more than the compression.
    async function* chunks(): AsyncGenerator<string> {
      let chunk = '';
      for await (const line of lines) {
        lastLine = line;
        rawBytes += Buffer.byteLength(line, 'utf8');
        chunk += line;
        if (chunk.length >= 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    try {
      await pipeline(Readable.from(chunks()), createGzip(), fs.createWriteStream(temp, { flags: 'wx' }));
      const handle = await fs.promises.open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    return { temp, lastLine, rawBytes, bytes: fs.statSync(temp).size };
  }

  /** Gives a complete temporary file its final name, durably (the directory is fsynced). */
  async publish(temp: string, name: string): Promise<string> {
    const file = path.join(this.dir, name);
    fs.renameSync(temp, file);
    const handle = await fs.promises.open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return file;
  }

  discard(temp: string): void {
    fs.rmSync(temp, { force: true });
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }
}

function readHolder(file: string): string {
  try {
    const { pid, host } = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; host: string };
    return `pid ${pid} on ${host}`;
  } catch {
    return 'holder unknown';
  }
}

function isStale(file: string): boolean {
  try {
    const { pid, host } = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; host: string };
    if (host === os.hostname() && pid !== process.pid && !isAlive(pid)) return true;
  } catch {
    // An unreadable lock is judged by its age alone.
  }
  try {
    return Date.now() - fs.statSync(file).mtimeMs > LOCK_STALE_MS;
  } catch {
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
