import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { EmbeddedEventStore } from '@aidwatch/event-store';

const EVENTS = 1_000_000;
const HEAP_MB = 64;
const root = path.join(__dirname, '..', '..', '..');

/**
 * Writes `count` position reports into one stream, straight into the store's table: this test is about the
 * export's memory, so the rows carry a chain link of the right shape without spending a hash on each.
 */
function fill(file: string, count: number): void {
  const db = new Database(file);
  const insert = db.prepare(
    'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const link = JSON.stringify({
    channel: 'kafka',
    chain: { previous: 'ab'.repeat(32), hash: 'cd'.repeat(32) },
  });
  const batch = db.transaction((from: number, to: number) => {
    for (let revision = from; revision < to; revision++) {
      const id = `00000000-0000-4000-8000-${revision.toString(16).padStart(12, '0')}`;
      const at = new Date(Date.UTC(2026, 0, 1) + revision * 1000).toISOString();
      const event = {
        id,
        type: 'aidwatch.vessel.position.v1',
        data: JSON.stringify({
          specversion: '1.0',
          id: `ais-${revision}`,
          source: '/ais/terrestrial',
          type: 'aidwatch.vessel.position.v1',
          time: at,
          data: {
            mmsi: '445123000',
            lat: 38.5 + (revision % 1000) / 1e4,
            lon: 124.1,
            sog: 9.8,
            cog: 87.5,
            at,
          },
        }),
      };
      insert.run(id, 'vessel-445123000', revision, event.type, event.data, link, at);
    }
  });
  for (let from = 0; from < count; from += 50_000) batch(from, Math.min(count, from + 50_000));
  db.close();
}

describe('exporting in constant memory', () => {
  jest.setTimeout(1_200_000);

  it(`exports ${EVENTS.toLocaleString('en')} events under a ${HEAP_MB} MB heap`, async () => {
    const store = EmbeddedEventStore.temporary();
    try {
      fill(store.file, EVENTS);
      const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [
            `--max-old-space-size=${HEAP_MB}`,
            '-r',
            '@swc-node/register',
            path.join(__dirname, 'testing/export-under-heap.ts'),
            store.file,
            'vessel-445123000',
          ],
          { cwd: root, env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.json') } },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const { lines, bytes, peakHeapBytes } = JSON.parse(result.stdout) as Record<string, number>;
      // start line, checkpoint, the events, completion line
      expect(lines).toBe(EVENTS + 3);
      expect(bytes).toBeGreaterThan(EVENTS * 300); // far more than the heap could hold
      expect(peakHeapBytes).toBeLessThan(HEAP_MB * 1024 * 1024);
    } finally {
      await store.close();
    }
  });
});
