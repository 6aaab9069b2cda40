import { defaultDetectionConfig } from '@aidwatch/detection';
import { EventTypes, type AidEvent, type FlagCleared, type FlagRaised } from '@aidwatch/domain';
import {
  EmbeddedEventStore,
  PostgresEventStore,
  type EventStore,
  type StoredEvent,
} from '@aidwatch/event-store';
import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import { defaultPorts } from '@aidwatch/maritime';
import { DetectionProjection, inboundStreamPrefixes, storedPositions } from '@aidwatch/projections';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { appendInOrder, EngineFeed } from '../support/engine-feed';

/*
 * Time model 9 through the real projection and stores: the detour carrier's paperwork (registration, load,
 * departure of its two consignments) is stored after all the demo's positions. The projection reads the
 * carrier's stored positions (up to the paperwork's place in the store) and raises the route-deviation flags
 * a timely report raises — same ids — in SQLite as in PostgreSQL.
 */

const events = demoScenario() as AidEvent[];
const detour = new Set(['CSG-2026-0401', 'CSG-2026-0402']);
const paperwork = events.filter(
  (e) => detour.has(e.subject ?? '') && /\.(registered|loaded|departed)\.v1$/.test(e.type),
);
const lateLog = [...events.filter((e) => !paperwork.includes(e)), ...paperwork];

const routeFlags = (flags: ReadonlyArray<{ rule: string; subject: { id: string }; flagId: string }>) =>
  flags
    .filter((f) => f.rule === 'route-deviation' && f.subject.id === DemoCast.detouringCarrier)
    .map((f) => f.flagId)
    .sort();

async function project(
  store: EventStore,
  append = true,
): Promise<{ open: string[]; projection: DetectionProjection; flagEvents: number }> {
  if (append) await appendInOrder(store, lateLog);
  const projection = new DetectionProjection(store, defaultDetectionConfig(), defaultPorts());
  let after: string | undefined;
  for (;;) {
    const page: StoredEvent[] = await store.readAll({
      after,
      maxCount: 500,
      filter: { streamPrefixes: inboundStreamPrefixes },
    });
    for (const e of page) await projection.apply(e);
    if (page.length < 500) break;
    after = page[page.length - 1].position;
  }
  expect(await projection.flush()).toBe(true);
  const flagEvents = (await store.readAll({ filter: { streamPrefixes: ['risk-'] } })).map(
    (s) => s.data as FlagRaised | FlagCleared,
  );
  const open = new Map<string, FlagRaised['data']>();
  for (const e of flagEvents) {
    if (e.type === EventTypes.FlagRaised) open.set(e.data.flagId, e.data);
    else open.delete(e.data.flagId);
  }
  return { open: routeFlags([...open.values()]), projection, flagEvents: flagEvents.length };
}

const expected = routeFlags(new EngineFeed().feed(events).openFlags());

function storeCases(open: () => Promise<{ store: EventStore; dispose: () => Promise<void> }>): void {
  it('raises the route-deviation flags of a timely report, ids included', async () => {
    const { store, dispose } = await open();
    try {
      expect(expected).toHaveLength(2);
      const { open: flags, projection } = await project(store);
      expect(flags).toEqual(expected);
      expect(projection.routeReplays()).toMatchObject({ replays: expect.any(Number), truncated: 0 });
      expect(projection.routeReplays().samples).toBeGreaterThan(0);
      // A rebuild from the same log reads the same positions: the same flags, nothing appended again.
      const first = await store.readAll({ filter: { streamPrefixes: ['risk-'] } });
      const rebuilt = await project(store, false);
      expect(rebuilt.open).toEqual(expected);
      expect(rebuilt.flagEvents).toBe(first.length);
      expect(rebuilt.projection.routeReplays()).toEqual(projection.routeReplays());
    } finally {
      await dispose();
    }
  });

  it('reads a vessel history only up to the event being handled', async () => {
    const { store, dispose } = await open();
    try {
      await appendInOrder(store, lateLog);
      const stream = await store.readStream(`vessel-${DemoCast.detouringCarrier}`);
      const positions = stream.filter((e) => e.type === EventTypes.VesselPositionReported);
      expect(positions.length).toBeGreaterThan(100);
      const all = await storedPositions(
        store,
        DemoCast.detouringCarrier,
        -Infinity,
        Infinity,
        1e6,
        positions[positions.length - 1].position,
      );
      expect(all).toHaveLength(positions.length);
      const middle = positions[99];
      const upTo = await storedPositions(
        store,
        DemoCast.detouringCarrier,
        -Infinity,
        Infinity,
        1e6,
        middle.position,
      );
      expect(upTo.map((f) => f.eventId)).toEqual(positions.slice(0, 100).map((e) => (e.data as AidEvent).id));
      const from = all[50].at;
      const to = all[80].at;
      const window = await storedPositions(store, DemoCast.detouringCarrier, from, to, 1e6, middle.position);
      expect(window).toEqual(all.filter((f) => f.at >= from && f.at <= to));
      expect(await storedPositions(store, DemoCast.detouringCarrier, from, to, 7, middle.position)).toEqual(
        window.slice(0, 7),
      );
    } finally {
      await dispose();
    }
  });
}

describe('late paperwork judged over stored positions: the embedded (SQLite) store', () => {
  jest.setTimeout(120_000);
  storeCases(async () => {
    const store = EmbeddedEventStore.temporary();
    return { store, dispose: () => store.close() };
  });
});

describeWithPostgres('late paperwork judged over stored positions: PostgreSQL', () => {
  jest.setTimeout(180_000);
  storeCases(async () => {
    const database = await createTestDatabase('latepaper');
    const store = new PostgresEventStore({ connectionString: database.url });
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
});
