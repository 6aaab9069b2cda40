// Exports one stream of an embedded store to a discarding sink and prints the line count and the peak heap.
// Run in a child process with a small --max-old-space-size: an export that held the events would die.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { exportLines } from '../event-export';
import { writeCheckpoint } from '../audit-checkpoint';

async function main(): Promise<void> {
  const [file, streamId] = process.argv.slice(2);
  const store = new EmbeddedEventStore({ path: file });
  const checkpoint = await writeCheckpoint(store, randomUUID, () => new Date());
  let lines = 0;
  let bytes = 0;
  let peakHeap = 0;
  const sink = new Writable({
    highWaterMark: 1 << 16,
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      setImmediate(done); // a slow reader: backpressure must hold the export back, not buffer it
    },
  });
  let chunk = '';
  for await (const line of exportLines(
    store,
    { kind: 'stream', streamId },
    {
      format: 'ndjson',
      checkpoint,
      now: () => new Date(),
      newId: randomUUID,
    },
  )) {
    lines++;
    chunk += line;
    if (chunk.length >= 1 << 16) {
      if (!sink.write(chunk)) await once(sink, 'drain');
      chunk = '';
      if (lines % 1000 < 100) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
  }
  sink.end(chunk);
  await once(sink, 'finish');
  await store.close();
  process.stdout.write(JSON.stringify({ lines, bytes, peakHeapBytes: peakHeap }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(String((error as Error).stack ?? error) + '\n');
  process.exit(1);
});
