import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultDetectionConfig } from '@aidwatch/detection';
import { EventTypes, type AidEvent, type FlagCleared, type FlagRaised } from '@aidwatch/domain';
import { EmbeddedEventStore, type EventStore, type NewEvent, type StreamWrite } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
import { SqliteCheckpointStore, DetectionProjection, ProjectionRunner } from '@aidwatch/projections';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { appendInOrder } from '../support/engine-feed';

type FlagEvent = FlagRaised | FlagCleared;

/** The store, recording the flag events a projection asks to append (new or not). */
class RecordingStore {
  readonly attempted: string[] = [];

  constructor(readonly store: EventStore) {}

  asStore(): EventStore {
    const record = (events: NewEvent[]) =>
      this.attempted.push(...events.map((e) => (e.data as FlagEvent).id));
    return new Proxy(this.store, {
      get: (target, property, receiver) => {
        if (property === 'append') {
          return (stream: string, events: NewEvent[], expected?: unknown) => {
            if (stream.startsWith('risk-')) record(events);
            return target.append(stream, events, expected as never);
          };
        }
        if (property === 'appendMany') {
          return (writes: StreamWrite[]) => {
            for (const w of writes) if (w.streamId.startsWith('risk-')) record(w.events);
            return target.appendMany(writes);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
  }
}

async function flagEventsIn(store: EventStore): Promise<FlagEvent[]> {
  const stored = await store.readAll({ filter: { streamPrefixes: ['risk-'] } });
  return stored.map((s) => s.data as FlagEvent);
}

function openFlagIds(events: readonly FlagEvent[]): string[] {
  const open = new Set<string>();
  for (const e of events) {
    if (e.type === EventTypes.FlagRaised) open.add(e.data.flagId);
    else open.delete(e.data.flagId);
  }
  return [...open].sort();
}

describe('the demo in a real embedded store, projected, then rebuilt from the log', () => {
  jest.setTimeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-rebuild-'));
  const store = EmbeddedEventStore.temporary();
  const recording = new RecordingStore(store);
  const checkpoints = new SqliteCheckpointStore(path.join(dir, 'checkpoints.sqlite'));
  const projection = new DetectionProjection(recording.asStore(), defaultDetectionConfig(), defaultPorts());
  const runner = new ProjectionRunner(store, checkpoints, projection, {
    checkpointEveryEvents: 250,
    checkpointEveryMs: 60_000,
  });
  let firstRun: FlagEvent[] = [];

  beforeAll(async () => {
    await appendInOrder(store, demoScenario() as AidEvent[]);
    runner.start();
    await runner.caughtUp();
    firstRun = await flagEventsIn(store);
  });

  afterAll(async () => {
    await runner.stop();
    await checkpoints.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('appends the flags of the demo, every rule it plants among them', async () => {
    const rules = new Set(firstRun.filter((e) => e.type === EventTypes.FlagRaised).map((e) => e.data.rule));
    expect(rules.size).toBe(17);
    expect(openFlagIds(firstRun)).toHaveLength(30);
    expect(new Set(recording.attempted)).toEqual(new Set(firstRun.map((e) => e.id)));
  });

  it('rebuilds from zero without appending anything, re-deriving the same flag events', async () => {
    recording.attempted.length = 0;
    await runner.rebuild();
    await runner.caughtUp();
    expect(runner.status().processed).toBeGreaterThan(1800);

    const afterRebuild = await flagEventsIn(store);
    expect(afterRebuild.map((e) => e.id)).toEqual(firstRun.map((e) => e.id));
    expect([...recording.attempted].sort()).toEqual(firstRun.map((e) => e.id).sort());
    expect(openFlagIds(afterRebuild)).toEqual(openFlagIds(firstRun));
  });

  it('derives the same flags in a fresh projection with a fresh checkpoint store on the same log', async () => {
    const fresh = new RecordingStore(store);
    const freshCheckpoints = new SqliteCheckpointStore(':memory:');
    const freshRunner = new ProjectionRunner(
      store,
      freshCheckpoints,
      new DetectionProjection(fresh.asStore(), defaultDetectionConfig(), defaultPorts()),
      { checkpointEveryEvents: 1000, checkpointEveryMs: 60_000 },
    );
    try {
      freshRunner.start();
      await freshRunner.caughtUp();
      expect(freshRunner.status().processed).toBeGreaterThan(1800);
      expect((await flagEventsIn(store)).map((e) => e.id)).toEqual(firstRun.map((e) => e.id));
      expect([...fresh.attempted].sort()).toEqual(firstRun.map((e) => e.id).sort());
    } finally {
      await freshRunner.stop();
      await freshCheckpoints.close();
    }
  });
});
