import type { AidEvent } from '@aidwatch/domain';
import { maritimeConfig } from './maritime-config';
import { MaritimeDetector } from './maritime-detector';
import {
  byTime,
  designation,
  hours,
  MaritimeScenario,
  minutes,
  OPEN_SEA,
  offsetKm,
  portDeclared,
  position,
  registration,
  staticReport,
  testPorts,
  track,
} from './testing/maritime-scenario';

const A = '445100001';
const B = '352100002';
const LOITERER = '412100003';
const DARK = '440100004';
const CARRIER = '636100005';

/** A day in the Yellow Sea with something for every rule. */
function aDayAtSea(): AidEvent[] {
  const drifting = { start: minutes(0), everyMinutes: 5, sog: 0, reportedSog: 0.6 };
  return byTime(
    [
      designation(hours(-24), { name: 'KUM UN SAN 3', mmsi: A }),
      registration(hours(-2), 'C-1', { mmsi: CARRIER }, 'CNDLC', 'KPNAM', [
        offsetKm(OPEN_SEA, -50, 30),
        offsetKm(OPEN_SEA, 150, 30),
      ]),
      staticReport(A, minutes(-20), { name: 'KUM UN SAN 3', draught: 4.1 }),
      staticReport(A, hours(5), { name: 'KUM UN SAN 3', draught: 6.3 }),
      staticReport(B, hours(1), { name: 'XIN HAI', imo: '9074729' }),
      staticReport(B, hours(6), { name: 'HAI XIN', imo: '9074729' }),
    ],
    track(A, { ...drifting, from: OPEN_SEA, count: 60 }),
    track(B, { ...drifting, from: offsetKm(OPEN_SEA, 0.25, 0.1), count: 40 }),
    track(B, {
      from: offsetKm(OPEN_SEA, 0.25, 0.1),
      start: minutes(200),
      everyMinutes: 10,
      count: 60,
      sog: 11,
      courseDeg: 200,
    }),
    track(LOITERER, {
      from: offsetKm(OPEN_SEA, 60, -40),
      start: minutes(0),
      everyMinutes: 10,
      count: 60,
      sog: 0.3,
      reportedSog: 1.1,
    }),
    track(DARK, {
      from: offsetKm(OPEN_SEA, -80, 20),
      start: minutes(0),
      everyMinutes: 10,
      count: 12,
      sog: 12,
    }),
    [position(DARK, hours(17), offsetKm(OPEN_SEA, 100, 100), 12)],
    track(CARRIER, {
      from: offsetKm(OPEN_SEA, -40, 30),
      start: minutes(0),
      everyMinutes: 10,
      count: 40,
      sog: 12,
      courseDeg: 150,
    }),
  );
}

const run = (events: AidEvent[]) =>
  new MaritimeScenario({ onBoard: { [CARRIER]: ['C-1'] } }).feed(events).advanceTo(hours(24));

describe('MaritimeDetector', () => {
  it('raises flags of every maritime rule on a busy day', () => {
    const s = run(aDayAtSea());
    const rules = new Set(s.raised.map((f) => f.rule));
    expect([...rules].sort()).toEqual(
      [
        'ais-gap',
        'designated-vessel',
        'draught-change',
        'encounter',
        'identity-change',
        'loitering',
        'route-deviation',
      ].sort(),
    );
    expect(
      s
        .open('ais-gap')
        .map((f) => f.subject.id)
        .sort(),
    ).toEqual([A, LOITERER, DARK, CARRIER].sort());
    for (const f of s.raised) {
      expect(f.subject.kind).toBe('vessel');
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.evidence.length).toBeLessThanOrEqual(5);
      expect(f.explanation).toMatch(/\.$/);
    }
  });

  it('gives identical flags when the same events are replayed', () => {
    const first = run(aDayAtSea());
    const second = run(aDayAtSea());
    expect(JSON.stringify(second.raised)).toBe(JSON.stringify(first.raised));
    expect(JSON.stringify(second.cleared)).toBe(JSON.stringify(first.cleared));
  });

  it('continues from a JSON snapshot exactly as if it had never stopped', () => {
    const events = aDayAtSea();
    const whole = run(events);

    const linker = { consignmentsOnBoard: (mmsi: string) => (mmsi === CARRIER ? ['C-1'] : []) };
    for (const cut of [37, Math.floor(events.length / 2), events.length - 25]) {
      const before = new MaritimeDetector(maritimeConfig(), testPorts, linker);
      const raised: string[] = [];
      const cleared: string[] = [];
      let watermark = -Infinity;
      const feed = (d: MaritimeDetector, e: AidEvent) => {
        watermark = Math.max(watermark, Date.parse((e.data as { at?: string }).at ?? e.time));
        const c = d.handle(e);
        raised.push(...c.raised.map((f) => f.flagId));
        cleared.push(...c.cleared.map((f) => f.flagId));
      };
      events.slice(0, cut).forEach((e) => feed(before, e));
      const saved = JSON.parse(JSON.stringify(before.snapshot()));
      const after = MaritimeDetector.restore(saved, maritimeConfig(), testPorts, linker);
      events.slice(cut).forEach((e) => feed(after, e));
      const tail = after.advanceWatermark(hours(24));
      raised.push(...tail.raised.map((f) => f.flagId));
      cleared.push(...tail.cleared.map((f) => f.flagId));

      expect(raised).toEqual(whole.raised.map((f) => f.flagId));
      expect(cleared).toEqual(whole.cleared.map((f) => f.flagId));
      // Stale deadline buckets are not carried over; everything else is.
      const { pendingDeadlineBuckets: _a, ...restored } = after.stats();
      const { pendingDeadlineBuckets: _b, ...uninterrupted } = whole.detector.stats();
      expect(restored).toEqual(uninterrupted);
    }
  });

  it('a checkpoint written whole after a restore holds every subject: open flags included', () => {
    const linker = { consignmentsOnBoard: (mmsi: string) => (mmsi === CARRIER ? ['C-1'] : []) };
    const d = new MaritimeDetector(maritimeConfig(), testPorts, linker);
    for (const e of aDayAtSea()) d.handle(e);
    const whole = JSON.parse(JSON.stringify(d.snapshot())) as { entries: Record<string, unknown> };
    expect(Object.keys(whole.entries)).toEqual(expect.arrayContaining([`flags:${CARRIER}`]));
    // A restarted runner's first checkpoint is written whole (markAllChanged, then the changed keys' entries)
    // and replaces the rows before it: a key it leaves out is lost at the next restore.
    const restored = MaritimeDetector.restore(whole, maritimeConfig(), testPorts, linker);
    expect(restored.takeChangedKeys()).toEqual([]);
    restored.markAllChanged();
    const keys = restored.takeChangedKeys();
    expect(keys).toEqual(Object.keys(whole.entries).sort());
    const written = Object.fromEntries(keys.map((k) => [k, JSON.parse(JSON.stringify(restored.entry(k)))]));
    expect(written).toEqual(whole.entries);
  });

  it('checkpoints per vessel: the entries of the changed keys keep a copy equal to the whole snapshot', () => {
    const events = aDayAtSea();
    const linker = { consignmentsOnBoard: (mmsi: string) => (mmsi === CARRIER ? ['C-1'] : []) };
    const d = new MaritimeDetector(maritimeConfig(), testPorts, linker);
    const stored: Record<string, unknown> = {};
    const written: number[] = [];
    const checkpoint = () => {
      const keys = d.takeChangedKeys();
      written.push(keys.length);
      for (const key of keys) {
        const entry = d.entry(key);
        if (entry === undefined) delete stored[key];
        else stored[key] = JSON.parse(JSON.stringify(entry));
      }
    };
    const whole = () => JSON.parse(JSON.stringify(d.snapshot().entries)) as Record<string, unknown>;
    let watermark = -Infinity;
    events.forEach((e, i) => {
      watermark = Math.max(watermark, Date.parse((e.data as { at?: string }).at ?? e.time));
      d.handle(e);
      if (i % 40 === 39) checkpoint();
    });
    checkpoint();
    expect(Object.keys(stored)).toEqual(
      expect.arrayContaining([`vessel:${A}`, 'imo:9074729', `voyages:${CARRIER}`, `flags:${CARRIER}`]),
    );
    expect(stored).toEqual(whole());
    // Only what moved is written again: a quiet vessel is not.
    d.handle(position('211000009', watermark, OPEN_SEA, 12));
    expect(d.takeChangedKeys()).toEqual(['vessel:211000009']);

    // Thirty days of silence: every vessel is forgotten, and its entry deleted.
    d.advanceWatermark(hours(24 * 32));
    checkpoint();
    expect(Object.keys(stored).filter((k) => k.startsWith('vessel:'))).toEqual([]);
    expect(stored).toEqual(whole());
    const restored = MaritimeDetector.restore(
      { head: d.head(), entries: stored },
      maritimeConfig(),
      testPorts,
    );
    expect(restored.stats()).toEqual(d.stats());
  });

  it('merges slightly late positions, drops older ones and ignores redeliveries', () => {
    const s = new MaritimeScenario().feed(
      track(A, { from: OPEN_SEA, start: minutes(0), everyMinutes: 10, count: 7, sog: 10 }),
    );
    const redelivered = position(A, minutes(60), offsetKm(OPEN_SEA, 18.5, 0), 10);
    s.feed([redelivered, position(A, minutes(50), offsetKm(OPEN_SEA, 15.4, 0), 10, 'late-by-10-min')]);
    s.feed([position(A, minutes(30), offsetKm(OPEN_SEA, 9.3, 0), 10, 'late-by-30-min')]);
    expect(s.detector.stats()).toMatchObject({ positions: 10, duplicates: 1, lateMerged: 1, lateDropped: 1 });
    expect(s.detector.tracks.get(A)?.lastAt).toBe(minutes(60));
  });

  it('judges a flagged silence again on a late position, however late; other rules see only the slightly late', () => {
    // Within the tolerance of the newest fix: merged, and it shortens the silence it falls in.
    const east = (h: number) => offsetKm(OPEN_SEA, 7 * h, 0);
    const gapped = [position(A, hours(0), east(0), 8), position(A, hours(14), east(14), 8)];
    const s = new MaritimeScenario().feed(gapped);
    expect(s.open('ais-gap').map((f) => f.observed.silentHours)).toEqual([14]);
    s.feed([position(A, minutes(14 * 60 - 10), east(13.8), 8, 'late-by-10-min')]);
    expect(s.open('ais-gap').map((f) => f.observed.silentHours)).toEqual([13.83]);
    expect(s.detector.stats()).toMatchObject({ lateMerged: 1, lateDropped: 0, lateInGap: 1 });

    // A loitering run: a fast fix 30 min older than the newest does not end it (judged on the track as it
    // arrived); one within the tolerance does.
    const drift = track(LOITERER, {
      from: OPEN_SEA,
      start: minutes(0),
      everyMinutes: 10,
      count: 31,
      sog: 0,
      reportedSog: 0.5,
    });
    const loiter = new MaritimeScenario().feed(drift);
    const [ongoing] = loiter.open('loitering');
    expect(ongoing.observed).toMatchObject({ ongoing: true });
    loiter.feed([position(LOITERER, minutes(270), OPEN_SEA, 9, 'fast-late-by-30-min')]);
    expect(loiter.open('loitering')).toEqual([ongoing]);
    expect(loiter.detector.stats()).toMatchObject({ lateDropped: 1, lateInGap: 0 });
    loiter.feed([position(LOITERER, minutes(290), OPEN_SEA, 9, 'fast-late-by-10-min')]);
    expect(loiter.open('loitering').map((f) => f.observed.ongoing)).toEqual([false]);
  });

  it('raises nothing new when a whole stream is delivered again', () => {
    const events = aDayAtSea();
    const s = run(events);
    const count = s.raised.length + s.cleared.length;
    s.feed(events.slice(-30));
    expect(s.raised.length + s.cleared.length).toBe(count);
  });

  it('counts positions it cannot use and keeps going', () => {
    const s = new MaritimeScenario().feed([
      position(A, minutes(0), { lat: 91, lon: 0 }, 1),
      position(A, minutes(1), { lat: Number.NaN, lon: 124 }, 1),
      position(A, minutes(2), { lat: 0, lon: 0 }, 1),
      position(A, minutes(3), OPEN_SEA, 102.3),
    ]);
    expect(s.detector.stats()).toMatchObject({ positions: 4, invalid: 3, trackedVessels: 1 });
  });

  it('learns declared ports from events: a vessel drifting by a newly declared port is not loitering', () => {
    const drift = track(A, {
      from: OPEN_SEA,
      start: minutes(0),
      everyMinutes: 10,
      count: 30,
      sog: 0,
      reportedSog: 0.5,
    });
    const port = portDeclared(hours(-1), {
      locode: 'XXOPN',
      name: 'Open Sea Terminal',
      ...offsetKm(OPEN_SEA, 3, 0),
      radiusKm: 1,
    });
    expect(new MaritimeScenario().feed(drift).flags('loitering')).toHaveLength(1);
    expect(new MaritimeScenario().feed([port], drift).flags('loitering')).toEqual([]);
  });

  it('takes positions through the fast path with the same result as through handle', () => {
    const events = track(A, {
      from: OPEN_SEA,
      start: minutes(0),
      everyMinutes: 10,
      count: 30,
      sog: 0,
      reportedSog: 0.5,
    });
    const fast = new MaritimeDetector(maritimeConfig(), testPorts);
    const flags = events.flatMap(
      (e) =>
        fast.handlePosition(
          e.source,
          A,
          e.data.lat,
          e.data.lon,
          e.data.sog ?? NaN,
          Date.parse(e.data.at),
          e.id,
        ).raised,
    );
    expect(flags.map((f) => f.flagId)).toEqual(
      new MaritimeScenario().feed(events).raised.map((f) => f.flagId),
    );
  });
});

describe('a vessel judged dark on a caught-up marker’s guess is not forgotten on it', () => {
  it('its next report, still to come on its partition, ends the silence', () => {
    const d = new MaritimeDetector(maritimeConfig(), testPorts);
    const slow = 'ais.positions.v1/1';
    const fast = 'ais.positions.v1/0';
    const open: Map<string, string> = new Map();
    const apply = (c: ReturnType<MaritimeDetector['handle']>) => {
      for (const f of c.raised) open.set(f.flagId, `${f.rule} ${f.subject.id}`);
      for (const f of c.cleared) open.delete(f.flagId);
    };
    apply(d.handle(position(A, minutes(0), OPEN_SEA, 0.5), slow, 0));
    // The same receiver delivered 40 days later on another partition (produced out of event-time order).
    apply(d.handle(position(B, hours(40 * 24), offsetKm(OPEN_SEA, 30, 30), 9), fast, 0));
    // The slow partition is caught up and quiet: its clock moves to the receiver's 40 days, so A is dark now.
    apply(d.caughtUp(slow, 3_600_000));
    expect([...open.values()]).toContain(`ais-gap ${A}`);
    // A's next report comes on its partition five minutes after its last: the silence was short.
    apply(d.handle(position(A, minutes(5), offsetKm(OPEN_SEA, 0.1, 0), 0.5), slow, 0));
    expect([...open.values()]).not.toContain(`ais-gap ${A}`);
  });
});
