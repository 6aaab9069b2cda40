import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DetectionEngine, defaultDetectionConfig, FANOUT_PER_EVENT } from '@aidwatch/detection';
import {
  EventTypes,
  storeEventId,
  streamOf,
  type AidEvent,
  type FlagCleared,
  type FlagRaised,
} from '@aidwatch/domain';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { programmeRegistrations } from '@aidwatch/detection/testing';
import { InMemoryEventStore, type EventStore } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
import { DetectionProjection } from './detection.projection';
import { ProjectionRunner } from './projection-runner';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';

/**
 * A programme of 1,500 consignments whose first one is corrected again and again, its quantity moving every
 * later consignment across the exemption's authorised quantity (12,000) and back: each correction moves the
 * over-authorisation verdict of hundreds of consignments. Detection judges a bounded slice per event and the
 * rest between events (`settle`), and ends with the flags of judging everything at once — flags cleared and
 * raised again on the same evidence included (`reopened`: their raise is stored again, not taken for a repeat).
 */
const registrations = programmeRegistrations('CSG-FAN', 1500, () => 5);
const corrections = Array.from({ length: 41 }, (_, i) =>
  consignmentRegistered({
    id: `correction-${i}`,
    subject: 'CSG-FAN-0000',
    time: new Date(Date.UTC(2024, 2, 20, 12) + i * 1000).toISOString(),
    data: {
      consignmentId: 'CSG-FAN-0000',
      billOfLading: 'BL-CSG-FAN-0000',
      items: [{ itemCode: 'RUTF', quantity: i % 2 === 0 ? 9000 : 5, unit: 'carton' }],
    },
  }),
);
const events: AidEvent[] = [exemptionGranted(), ...registrations, ...corrections];

async function appendAll(store: EventStore, list: readonly AidEvent[]): Promise<void> {
  for (const e of list)
    await store.append(streamOf(e), [{ id: storeEventId(e), type: e.type, data: e, metadata: {} }], 'any');
}

async function openFlagIds(store: EventStore): Promise<string[]> {
  const open = new Set<string>();
  for (const s of await store.readAll({ filter: { streamPrefixes: ['risk-'] } })) {
    const e = s.data as FlagRaised | FlagCleared;
    if (e.type === EventTypes.FlagRaised) open.add(e.data.flagId);
    else open.delete(e.data.flagId);
  }
  return [...open].sort();
}

describe('detection of a programme-wide fan-out, a slice at a time', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fan-out-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('judges a bounded slice per event and ends, through the runner, with the flags of judging everything at once', async () => {
    // All at once: each correction's whole fan-out judged in its own event (what `settle()` with no limit does).
    const atOnce = new DetectionEngine(defaultDetectionConfig(), defaultPorts());
    for (const e of events) {
      atOnce.handle(e);
      atOnce.settle();
    }
    const expected = atOnce.diversion
      .openFlags()
      .map((f) => f.flagId)
      .sort();
    expect(expected.length).toBeGreaterThan(500);

    // One event at a time: never more than the slice beyond its own consignment.
    const stepwise = new DetectionEngine(defaultDetectionConfig(), defaultPorts());
    for (const e of [exemptionGranted(), ...registrations]) stepwise.handle(e);
    stepwise.settle();
    for (const e of corrections) {
      const changes = stepwise.handle(e);
      const consignments = new Set([...changes.raised, ...changes.cleared].flatMap((f) => f.consignmentIds));
      expect(consignments.size).toBeLessThanOrEqual(FANOUT_PER_EVENT * 2 + 1);
    }
    expect(stepwise.unsettledCount()).toBeGreaterThan(FANOUT_PER_EVENT);

    // Through the store and the runner: the rest is settled between events, and checkpointed.
    const store = new InMemoryEventStore();
    await appendAll(store, events);
    const checkpoints = new SqliteCheckpointStore(path.join(dir, 'checkpoints.sqlite'));
    const projection = new DetectionProjection(store, defaultDetectionConfig(), defaultPorts());
    const runner = new ProjectionRunner(store, checkpoints, projection, {
      checkpointEveryEvents: 500,
      checkpointEveryMs: 50,
    });
    runner.start();
    try {
      await runner.caughtUp(60_000);
      expect(projection.unsettled()).toBe(false);
      expect(await openFlagIds(store)).toEqual(expected);
    } finally {
      await runner.stop();
    }

    // A checkpoint taken while work was left for later keeps it: restored, then settled, the same flags.
    const partway = new DetectionEngine(defaultDetectionConfig(), defaultPorts());
    for (const e of events) partway.handle(e);
    expect(partway.unsettledCount()).toBeGreaterThan(0);
    const restored = DetectionEngine.restore(
      JSON.parse(JSON.stringify(partway.snapshot())),
      defaultDetectionConfig(),
      defaultPorts(),
    );
    expect(restored.unsettledCount()).toBe(partway.unsettledCount());
    restored.settle();
    expect(
      restored.diversion
        .openFlags()
        .map((f) => f.flagId)
        .sort(),
    ).toEqual(expected);
  });
});

describe('detection flags written beside the events', () => {
  it('goes on judging while its flags are written, and ends after failed writes with the flags of one clean run', async () => {
    const clean = new InMemoryEventStore();
    await appendAll(clean, events);
    const cleanRun = new DetectionProjection(clean, defaultDetectionConfig(), defaultPorts());
    for (const e of await clean.readAll({ filter: cleanRun.filter })) await cleanRun.apply(e);
    while (cleanRun.unsettled()) await cleanRun.settle();
    await cleanRun.flush();
    const expected = await openFlagIds(clean);
    expect(expected.length).toBeGreaterThan(500);

    // The store refuses the first three flag writes: they are tried again, in order.
    const store = new InMemoryEventStore();
    await appendAll(store, events);
    let refusals = 3;
    const appendMany = store.appendMany.bind(store);
    store.appendMany = async (writes) => {
      if (refusals > 0 && writes.some((w) => w.streamId.startsWith('risk-'))) {
        refusals--;
        throw new Error('disk I/O error');
      }
      return appendMany(writes);
    };
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const refused: unknown[] = [];
    const projection = new DetectionProjection(store, defaultDetectionConfig(), defaultPorts(), {
      onFlagEvents: () => undefined,
      onWriteError: (error) => refused.push(error),
    });
    const runner = new ProjectionRunner(store, checkpoints, projection, {
      checkpointEveryEvents: 200,
      checkpointEveryMs: 50,
    });
    runner.start();
    try {
      await runner.caughtUp(60_000);
      expect(refusals).toBe(0);
      expect(refused).toHaveLength(3);
      expect(await openFlagIds(store)).toEqual(expected);
      // The checkpoint holds no position past a flag the store did not take.
      const saved = await checkpoints.load(projection.name);
      expect(saved).toBeDefined();
    } finally {
      await runner.stop();
      await checkpoints.close();
    }
  });
});
