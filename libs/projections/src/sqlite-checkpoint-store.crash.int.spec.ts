import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { startCheckpointPartsProcess } from './testing/checkpoint-parts.process';
import { CRASH_SUBJECTS, expectedRound } from './testing/checkpoint-parts.rounds';

/** Runs the writer process on `file` and kills it with SIGKILL once it has committed `killAfter` checkpoints. */
async function writeUntilKilled(file: string, killAfter: number): Promise<number[]> {
  const writer = startCheckpointPartsProcess(file, (_round, count) => {
    // A little after the commit, so the kill lands within the next round's parts or its commit.
    if (count === killAfter) setTimeout(() => writer.child.kill('SIGKILL'), killAfter % 7);
  });
  const status = await writer.exited;
  if (status.signal !== 'SIGKILL')
    throw new Error(`The writer ended on its own (${status.code}): ${status.stderr}`);
  return writer.committed;
}

describe('SqliteCheckpointStore when its process is killed with SIGKILL while writing parts', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-checkpoint-crash-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the last committed checkpoint whole, each subject from the last round that wrote it', async () => {
    const file = path.join(dir, 'checkpoints.sqlite');
    // Three kills at moments that differ between runs (process ids differ), within a round's parts or commit.
    let last = -1;
    for (let run = 0; run < 3; run++) {
      const killAfter = 5 + ((process.pid * (run + 3)) % 17);
      const committed = await writeUntilKilled(file, killAfter);
      expect(committed.length).toBeGreaterThanOrEqual(killAfter);
      expect(committed[0]).toBe(last + 1);
      last = committed[committed.length - 1];

      const store = new SqliteCheckpointStore(file);
      try {
        const loaded = await store.load('crash');
        // Every acknowledged commit is on disk; at most the round in flight at the kill got further.
        const round = Number(loaded!.position);
        expect(round === last || round === last + 1).toBe(true);
        last = round;
        const { head, entries } = loaded!.snapshot as {
          head: { round: number };
          entries: Record<string, unknown>;
        };
        expect(head.round).toBe(round);
        expect(Object.keys(entries)).toHaveLength(CRASH_SUBJECTS);
        for (let key = 0; key < CRASH_SUBJECTS; key++)
          expect((entries[String(key)] as { round: number }).round).toBe(expectedRound(key, round));
      } finally {
        await store.close();
      }
    }
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
