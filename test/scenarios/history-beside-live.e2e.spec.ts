import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultDetectionConfig } from '@aidwatch/detection';
import { EventTypes, type Flag, type FlagCleared, type FlagRaised } from '@aidwatch/domain';
import { EVENT_STORE, type EventStore, type NewEvent, type StreamWrite } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
import { DetectionProjection, ProjectionRunner, SqliteCheckpointStore } from '@aidwatch/projections';
import { eventually, startTestSystem, type TestSystem } from '../support';
import { runAidwatch } from '../support/aidwatch-cli';
import {
  byTime,
  fixes,
  HIST_END,
  HIST_START,
  HISTORY,
  HOUR,
  HQ,
  HV,
  iso,
  LD,
  LIVE,
  LV,
  NOW,
  SILENCE,
} from '../support/history-feeds';

// A month of history imported on a source of its own while a live feed that runs ahead of it keeps
// posting: the history's planted silence and the live feed's dark vessel are flagged, and nothing else —
// no `ais-gap` on the history's vessels because the live inputs ran ahead, neither while the import runs
// nor after its close (docs/time-model.md 5).

type FlagEvent = FlagRaised | FlagCleared;

describe('a month of history imported with --closed beside a live feed, through the HTTP API', () => {
  jest.setTimeout(180_000);
  let system: TestSystem;
  let file: string;
  const live = byTime(
    fixes(LV, LIVE, NOW - 30 * HOUR, NOW, 10, 36.2),
    fixes(LD, LIVE, NOW - 30 * HOUR, NOW - 28 * HOUR, 10, 36.6),
  );

  /** The live events posted so far: the feed goes on where it stopped. */
  let next = 0;
  const postLive = async (events: readonly unknown[]) => {
    for (let i = 0; i < events.length; i += 200) {
      const res = await system.fetch(`${system.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify(events.slice(i, i + 200)),
      });
      expect(res.status).toBe(202);
    }
  };
  const gapFlags = async (): Promise<Flag[]> => {
    const res = await system.fetch(`${system.url}/flags?rule=ais-gap&limit=1000`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Flag[] }).items;
  };
  /** A vessel's gap episodes: one per fingerprint (a "dark now" flag is superseded by the figures of the fix ending it). */
  const episodes = (flags: readonly Flag[], mmsi: string) =>
    new Set(flags.filter((f) => f.subject.id === mmsi).map((f) => f.fingerprint)).size;

  beforeAll(async () => {
    system = await startTestSystem();
    file = path.join(system.dataDir, 'history.ndjson');
    const history = byTime(
      fixes(HV, HISTORY, HIST_START, HIST_END, 60, 37.0, SILENCE),
      fixes(HQ, HISTORY, HIST_START, HIST_END, 60, 37.3),
    );
    fs.writeFileSync(file, history.map((e) => JSON.stringify(e)).join('\n') + '\n');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('imports the history while the live feed keeps posting, and closes its source (aidwatch import --file … --closed)', async () => {
    await postLive(live.slice(0, (next = 20)));
    const store = system.app.get<EventStore>(EVENT_STORE);
    let done = false;
    const importing = runAidwatch(
      [
        'import',
        ...['--file', file, '--closed', '--batch', '20'],
        ...['--url', system.url, '--key', system.keys.producer, '--json'],
      ],
      {},
    ).finally(() => (done = true));
    // The live feed goes on while the import runs (two reports at a time, ten minutes of live time), from
    // the moment the history's first batch is stored until its close.
    while (!done && (await store.readStream(`vessel-${HV}`)).length === 0)
      await new Promise((r) => setTimeout(r, 20));
    while (!done && next < 120) {
      await postLive(live.slice(next, (next += 2)));
      await new Promise((r) => setTimeout(r, 20));
    }
    const run = await importing;
    // Live reports were stored between the history's first and last ones.
    const order = (await store.readAll()).map((s) => (s.data as { source: string }).source);
    const [first, last] = [order.indexOf(HISTORY), order.lastIndexOf(HISTORY)];
    expect(order.slice(first, last).filter((source) => source === LIVE).length).toBeGreaterThan(4);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      events: number;
      bounded: Array<{ source: string; until: string }>;
      closed: Array<{ source: string; at: string }>;
    };
    expect(report.events).toBeGreaterThan(1400);
    expect(report.closed).toEqual([{ source: HISTORY, at: iso(HIST_END) }]);
    // Announced as bounded before its first event: stored ahead of every history position.
    expect(report.bounded).toEqual([{ source: HISTORY, until: iso(HIST_END) }]);
    const types = (await store.readAll())
      .filter((s) => (s.data as { source: string }).source === HISTORY)
      .map((s) => s.type);
    expect(types[0]).toBe(EventTypes.InputBounded);
    expect(types.at(-1)).toBe(EventTypes.InputClosed);
    const stream = await system.fetch(`${system.url}/streams/${encodeURIComponent(`input-${HISTORY}`)}`, {});
    expect(stream.status).toBe(200);
  });

  it('names what was refused: the announcement, or the file events by their number', async () => {
    const liveOnly = system.credential({ role: 'producer', sources: [LIVE] });
    const args = (closed: boolean) => [
      'import',
      ...['--file', file, ...(closed ? ['--closed'] : []), '--batch', '20'],
      ...['--url', system.url, '--key', liveOnly],
    ];
    const announced = await runAidwatch(args(true), {});
    expect(announced.code).toBe(1);
    expect(announced.stderr).toMatch(
      /^aidwatch import: the announcement of its sources as bounded refused \(403\)/,
    );
    const plain = await runAidwatch(args(false), {});
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^aidwatch import: events 1-20 of the file refused \(403\)/);
  });

  it('refuses a close of another source than the event own (400), and one from a producer not allowed that source (403)', async () => {
    const other = {
      specversion: '1.0',
      id: 'close-other',
      source: LIVE,
      type: EventTypes.InputClosed,
      time: iso(NOW),
      data: { source: HISTORY, at: iso(NOW) },
    };
    const post = (body: unknown, as?: string) =>
      system.fetch(`${system.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(body),
        ...(as ? { as } : {}),
      });
    expect((await post(other)).status).toBe(400);
    const liveOnly = system.credential({ role: 'producer', sources: [LIVE] });
    const res = await post({ ...other, id: 'close-history', source: HISTORY }, liveOnly);
    expect(res.status).toBe(403);
  });

  it('flags the planted anomalies of both, and no ais-gap on the history vessels once the live feed ran ahead', async () => {
    await postLive(live.slice(next));
    const flags = await eventually(
      async () => {
        const all = await gapFlags();
        return episodes(all, LD) > 0 && episodes(all, HV) > 0 ? all : undefined;
      },
      60_000,
      'the gap flags',
    );
    // Let detection finish the live feed (its clock reaches NOW) before judging what is absent.
    await new Promise((r) => setTimeout(r, 1500));
    const settled = await gapFlags();
    expect(settled.length).toBeGreaterThanOrEqual(flags.length);
    expect(episodes(settled, HV)).toBe(1);
    const hv = settled.filter((f) => f.subject.id === HV);
    expect(hv.some((f) => (f.observed as { silentHours?: number }).silentHours === 21)).toBe(true);
    expect(episodes(settled, HQ)).toBe(0);
    expect(episodes(settled, LD)).toBe(1);
    expect(episodes(settled, LV)).toBe(0);
  });

  it('a rebuild from the log derives exactly the stored flag events', async () => {
    const store = system.app.get<EventStore>(EVENT_STORE);
    const stored = (await store.readAll({ filter: { streamPrefixes: ['risk-'] } })).map(
      (s) => (s.data as FlagEvent).id,
    );
    expect(stored.length).toBeGreaterThan(0);
    const attempted: string[] = [];
    const record = (events: NewEvent[]) => attempted.push(...events.map((e) => (e.data as FlagEvent).id));
    const recording = new Proxy(store, {
      get: (target, property, receiver) => {
        if (property === 'append')
          return (stream: string, events: NewEvent[], expected?: unknown) => {
            if (stream.startsWith('risk-')) record(events);
            return target.append(stream, events, expected as never);
          };
        if (property === 'appendMany')
          return (writes: StreamWrite[]) => {
            for (const w of writes) if (w.streamId.startsWith('risk-')) record(w.events);
            return target.appendMany(writes);
          };
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const checkpoints = new SqliteCheckpointStore(':memory:');
    const runner = new ProjectionRunner(
      store,
      checkpoints,
      new DetectionProjection(recording, defaultDetectionConfig(), defaultPorts()),
      { checkpointEveryEvents: 300, checkpointEveryMs: 60_000 },
    );
    try {
      runner.start();
      await runner.caughtUp();
      expect([...new Set(attempted)].sort()).toEqual([...new Set(stored)].sort());
      const after = (await store.readAll({ filter: { streamPrefixes: ['risk-'] } })).map(
        (s) => (s.data as FlagEvent).id,
      );
      expect(after).toEqual(stored);
    } finally {
      await runner.stop();
      await checkpoints.close();
    }
  });

  it('--closed leaves reference data alone, and says what stays announced when a later batch is refused', async () => {
    const ports = '/reference/ports-test';
    const port = {
      specversion: '1.0',
      id: 'port-KPTST',
      source: ports,
      type: EventTypes.PortDeclared,
      subject: 'KPTST',
      time: iso(HIST_START),
      datacontenttype: 'application/json',
      data: { locode: 'KPTST', name: 'Test harbour', lat: 39.5, lon: 124.5, radiusKm: 2 },
    };
    const source = '/ais/archive/reference-test';
    const track = fixes('273200009', source, HIST_START, HIST_START + 5 * HOUR, 30, 37.5);
    const good = path.join(system.dataDir, 'with-ports.ndjson');
    fs.writeFileSync(good, [port, ...track].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const args = (file: string) => [
      'import',
      ...['--file', file, '--closed', '--batch', '5', '--json'],
      ...['--url', system.url, '--key', system.keys.producer],
    ];
    const run = await runAidwatch(args(good), {});
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      bounded: Array<{ source: string }>;
      closed: Array<{ source: string }>;
    };
    expect(report.bounded.map((b) => b.source)).toEqual([source]);
    expect(report.closed.map((c) => c.source)).toEqual([source]);

    const bad = path.join(system.dataDir, 'refused-later.ndjson');
    const broken = { ...track[0], id: 'broken', data: { ...track[0].data, lat: 123 } };
    fs.writeFileSync(bad, [...track, broken].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const refused = await runAidwatch(args(bad), {});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/events 11-12 of the file refused \(400\)/);
    expect(refused.stderr).toContain(
      `${source} (until ${iso(HIST_START + 5 * HOUR)}) stay announced as bounded`,
    );
  });
});
