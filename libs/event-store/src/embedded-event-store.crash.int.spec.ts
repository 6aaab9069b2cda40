import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedEventStore } from './embedded-event-store';
import { startAppendProcess } from './testing/embedded-append.process';

const stream = 'consignment-crash';
const maxBatch = 5;

/** Runs a writer process on `file` and kills it with SIGKILL once it has acknowledged `killAfter` events. */
async function appendUntilKilled(file: string, killAfter: number): Promise<string[]> {
  const writer = startAppendProcess(file, stream, {
    maxBatch,
    onAcknowledged: (count) => {
      if (count === killAfter) writer.child.kill('SIGKILL');
    },
  });
  const status = await writer.exited;
  if (status.signal !== 'SIGKILL')
    throw new Error(`The writer ended on its own (${status.code}): ${status.stderr}`);
  return writer.acknowledged;
}

describe('EmbeddedEventStore when its process is killed with SIGKILL mid-append', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-crash-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged event, in order, with gapless revisions, and takes appends afterwards', async () => {
    const file = path.join(dir, 'events.sqlite');
    // Kill points vary between runs (process ids differ) so the kill lands at different moments of a batch.
    const firstKill = 300 + (process.pid % 200);
    const secondKill = 200 + ((process.pid * 7) % 200);

    const firstRun = await appendUntilKilled(file, firstKill);
    const secondRun = await appendUntilKilled(file, secondKill);
    const acknowledged = [...firstRun, ...secondRun];

    const store = new EmbeddedEventStore({ path: file });
    try {
      const stored = await store.readStream(stream);
      const storedIds = stored.map((event) => event.id);
      const positions = stored.map((event) => Number(event.position));

      expect(acknowledged.length).toBeGreaterThanOrEqual(firstKill + secondKill);
      expect(new Set(storedIds).size).toBe(storedIds.length);
      expect(acknowledged.every((id) => storedIds.includes(id))).toBe(true);
      // The first run's acknowledged events come first; at most one batch per run was written unacknowledged.
      expect(storedIds.slice(0, firstRun.length)).toEqual(firstRun);
      expect(stored.length - acknowledged.length).toBeLessThanOrEqual(2 * maxBatch);
      expect(stored.map((event) => event.revision)).toEqual(stored.map((_, index) => index));
      expect(positions.every((position, index) => index === 0 || position > positions[index - 1])).toBe(true);

      const last = stored[stored.length - 1];
      const next = await store.append(
        stream,
        [{ id: randomUUID(), type: 'aidwatch.test.appended', data: {} }],
        last.revision,
      );
      expect(next).toMatchObject({ nextExpectedRevision: last.revision + 1, appended: 1 });
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
