import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresEventStore } from '../postgres-event-store';

/**
 * A writer process for the PostgreSQL store's concurrency test: keeps up to four appends in flight, each of
 * 1–12 events to one or two streams (its own, or one of three shared by all writers) (expected revision 'any'), and holds every transaction
 * open for a random 0–40 ms before COMMIT, so transactions of several processes overlap and commit out of
 * sequence order. Prints each event id after its append resolved.
 * Arguments: <connection string> <events> <seed>.
 */
async function main(): Promise<void> {
  const [connectionString, countArg, seedArg] = process.argv.slice(2);
  const count = Number(countArg);
  const random = mulberry32(Number(seedArg));
  const store = new PostgresEventStore({
    connectionString,
    beforeCommit: () => sleep(Math.floor(random() * 40)),
  });
  // Mostly streams of its own (transactions of several processes overlap), sometimes shared ones (they
  // contend for the same stream locks and revisions).
  const shared = ['vessel-a', 'consignment-b', 'site-c'];
  const own = Array.from({ length: 8 }, (_, i) => `vessel-${process.pid}-${i}`);
  const pick = () => {
    const streams = random() < 0.2 ? shared : own;
    return streams[Math.floor(random() * streams.length)];
  };
  const batch = (n: number) =>
    Array.from({ length: n }, () => ({
      id: randomUUID(),
      type: 'aidwatch.test.appended',
      data: { pid: process.pid, at: random() },
    }));
  let written = 0;
  const lane = async () => {
    while (written < count) {
      const size = Math.min(1 + Math.floor(random() * 12), count - written);
      written += size;
      const events = batch(size);
      if (random() < 0.3 && size > 1) {
        const cut = Math.floor(size / 2);
        await store.appendMany([
          { streamId: pick(), events: events.slice(0, cut) },
          { streamId: pick(), events: events.slice(cut) },
        ]);
      } else {
        await store.append(pick(), events);
      }
      process.stdout.write(events.map((event) => `${event.id}\n`).join(''));
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  await store.close();
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
