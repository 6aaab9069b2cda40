import * as fs from 'node:fs';

/**
 * Makes a SQLite database file and its `-wal` / `-shm` companions readable and writable by their owner only
 * (mode 0600), whoever created them and with whatever umask: the event log, checkpoints and per-subject keys
 * hold personal data and must not be world-readable. SQLite creates the companions with the database file's
 * mode, so this is called right after opening. Files that do not exist (`:memory:`) are left alone.
 */
export function restrictToOwner(file: string): void {
  if (file === ':memory:') return;
  const real = databaseFilePath(file);
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.chmodSync(real + suffix, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * The path of a SQLite database file with symlinks resolved: SQLite follows a symlinked database file and
 * keeps its `-wal` and `-shm` companions beside the target, so a companion is found at `<result>-wal`, not
 * beside the link. `:memory:` and a path that does not resolve (not created yet) are returned as given.
 */
export function databaseFilePath(file: string): string {
  if (file === ':memory:') return file;
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
