// Child of pipeline.bench.ts: peak RSS of one process that stores and tracks BENCH_RSS_VESSELS vessels (three
// positions and one static report each) through the embedded store and the detection projection, checkpoints
// included. Prints one JSON line: { vessels, events, peakRss } (bytes).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { storeEventId, streamOf, type AidEvent } from '@aidwatch/domain';
import { detectionConfigFrom } from '@aidwatch/detection';
import { EmbeddedEventStore, type StreamWrite } from '@aidwatch/event-store';
import { defaultPorts, portDeclaredEvents } from '@aidwatch/maritime';
import { SqliteCheckpointStore, DetectionProjection, ProjectionRunner } from '@aidwatch/projections';
import { v5 as uuidv5 } from 'uuid';

const VESSELS = Number(process.env.BENCH_RSS_VESSELS ?? 200_000);
const NS = '6f1c2a47-9d3e-4b8a-a5c1-0e7d2f4b9a31';
const START = Date.parse('2026-06-01T00:00:00.000Z');

function* fleet(): Generator<AidEvent> {
  for (const port of portDeclaredEvents()) yield port as AidEvent;
  for (let step = 0; step < 3; step++) {
    for (let v = 0; v < VESSELS; v++) {
      const mmsi = String(200_000_000 + v * 7);
      const at = new Date(START + step * 600_000 + (v % 600) * 1000).toISOString();
      const lat = 30 + (v % 1000) * 0.012 + step * 0.02;
      const lon = 120 + Math.floor(v / 1000) * 0.07;
      const base = {
        specversion: '1.0',
        source: 'urn:aidwatch:bench',
        subject: mmsi,
        time: at,
        datacontenttype: 'application/json',
      };
      yield {
        ...base,
        id: uuidv5(`${mmsi}/${step}`, NS),
        type: 'aidwatch.vessel.position.v1',
        data: { mmsi, lat, lon, sog: 11.5, cog: 10, heading: 10, navStatus: 0, at },
      } as unknown as AidEvent;
      if (step === 0)
        yield {
          ...base,
          id: uuidv5(`${mmsi}/static`, NS),
          type: 'aidwatch.vessel.static.v1',
          data: {
            mmsi,
            name: `BENCH ${v}`,
            callsign: 'X',
            flag: 'PA',
            shipType: 70,
            draught: 8,
            destination: 'KRPUS',
            at,
          },
        } as unknown as AidEvent;
    }
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'aidwatch-rss-'));
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const store = new EmbeddedEventStore({ path: path.join(dir, 'events.sqlite') });
    let events = 0;
    let writes: StreamWrite[] = [];
    const flush = async () => {
      await store.appendMany(writes);
      writes = [];
    };
    for (const event of fleet()) {
      writes.push({
        streamId: streamOf(event),
        events: [{ id: storeEventId(event), type: event.type, data: event }],
      });
      events += 1;
      if (writes.length >= 5000) await flush();
    }
    await flush();
    let processed = 0;
    const runner = new ProjectionRunner(
      store,
      new SqliteCheckpointStore(path.join(dir, 'checkpoints.sqlite')),
      new DetectionProjection(store, detectionConfigFrom({}), defaultPorts()),
      { checkpointEveryEvents: 5000, checkpointEveryMs: 2000, onProcessed: () => (processed += 1) },
    );
    runner.start();
    while (processed < events) await new Promise((resolve) => setTimeout(resolve, 20));
    await runner.stop();
    peak = Math.max(peak, process.memoryUsage.rss());
    await store.close();
    console.log(JSON.stringify({ vessels: VESSELS, events, peakRss: peak }));
  } finally {
    clearInterval(sample);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
