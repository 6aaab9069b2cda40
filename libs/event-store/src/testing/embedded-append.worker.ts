import { randomUUID } from 'node:crypto';
import { EmbeddedEventStore } from '../embedded-event-store';

/**
 * A separate process for the embedded store's process-level tests: appends batches of 1…maxBatch events
 * to one stream, with the exact expected revision, and prints each event id only after its append has
 * resolved; says `closed` on stderr once `close()` has resolved. Arguments: <file> <stream> [count (default:
 * until killed)] [maxBatch (default 5)] [writer: inline (default) or worker].
 */
async function main(): Promise<void> {
  const [file, stream, countArg, batchArg, writer] = process.argv.slice(2);
  const count = countArg ? Number(countArg) : Number.POSITIVE_INFINITY;
  const maxBatch = batchArg ? Number(batchArg) : 5;
  const store = new EmbeddedEventStore({ path: file, writer: writer === 'worker' ? 'worker' : 'inline' });
  const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  let revision = last?.revision ?? -1;
  for (let written = 0, round = 0; written < count; round++) {
    const size = Math.min(1 + (round % maxBatch), count - written);
    const events = Array.from({ length: size }, () => ({
      id: randomUUID(),
      type: 'aidwatch.test.appended',
      data: { pid: process.pid, round, padding: 'x'.repeat(400) },
    }));
    const result = await store.append(stream, events, revision === -1 ? 'no_stream' : revision);
    revision = result.nextExpectedRevision;
    written += size;
    process.stdout.write(events.map((event) => `${event.id}\n`).join(''));
  }
  await store.close();
  process.stderr.write('closed\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
