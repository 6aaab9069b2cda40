// Writes checkpoints in parts into a SQLite checkpoint file until killed (see checkpoint-parts.process.ts):
// round r writes subjects 0–499 (and 500–999 when r is even) with the value { round: r }, in parts of 100, then
// commits at position r with the head { round: r } and prints r. Starts from the round after the committed one.
import { SqliteCheckpointStore } from '../sqlite-checkpoint-store';
import { CRASH_SUBJECTS } from './checkpoint-parts.rounds';

const NAME = 'crash';

async function main(): Promise<void> {
  const store = new SqliteCheckpointStore(process.argv[2]);
  const loaded = await store.load(NAME);
  let round = loaded ? Number(loaded.position) + 1 : 0;
  for (;;) {
    const generation = await store.beginParts(NAME);
    const upper = round % 2 === 0 ? CRASH_SUBJECTS : CRASH_SUBJECTS / 2;
    for (let from = 0; from < upper; from += 100) {
      const rows: Array<[string, unknown]> = [];
      for (let key = from; key < from + 100; key++) rows.push([String(key), { round, pad: 'x'.repeat(200) }]);
      await store.writePart(NAME, generation, rows);
    }
    await store.drain();
    await store.commitParts(NAME, generation, String(round), { round }, new Date(), round === 0);
    process.stdout.write(`${round}\n`);
    round++;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
