import {
  EventTypes,
  validateCloudEvent,
  type VesselPositionData,
  type VesselStaticData,
} from '@aidwatch/domain';
import { flagOfMmsi } from '@aidwatch/domain';
import { defaultPorts } from '../ports/default-ports';
import { classAReportingIntervalMs, NavStatus } from './ais-reporting';
import { distanceKm, KM_PER_NM, MS_PER_HOUR } from './track';
import type { LonLat } from './sea-lanes';
import { simulateTraffic, type TrafficOptions } from './traffic-simulator';

const START = '2026-11-01T00:00:00Z';
const ports = defaultPorts();

/** Distance to the nearest port's limits (negative inside a port). */
const kmFromPorts = (p: { lat: number; lon: number }): number =>
  Math.min(...ports.map((port) => distanceKm([p.lon, p.lat], [port.lon, port.lat]) - port.radiusKm));

function run(options: Partial<TrafficOptions>) {
  const sim = simulateTraffic({ vessels: 20, hours: 48, seed: 7, start: START, ...options });
  const events = [...sim.events()];
  const positions = new Map<string, VesselPositionData[]>();
  const statics = new Map<string, VesselStaticData[]>();
  const add = <T>(bucket: Map<string, T[]>, mmsi: string, item: T) => {
    const list = bucket.get(mmsi);
    if (list) list.push(item);
    else bucket.set(mmsi, [item]);
  };
  for (const e of events) {
    if (e.type === EventTypes.VesselPositionReported) add(positions, e.data.mmsi, e.data);
    else add(statics, e.data.mmsi, e.data);
  }
  return { sim, events, positions, statics };
}

const ms = (iso: string): number => Date.parse(iso);
const kn = (a: VesselPositionData, b: VesselPositionData): number =>
  distanceKm([a.lon, a.lat], [b.lon, b.lat]) / KM_PER_NM / ((ms(b.at) - ms(a.at)) / MS_PER_HOUR);

// One larger fleet (30 vessels, 48 h, one report in six) shared by the tests that need planted anomalies.
const fleet = run({ vessels: 30, hours: 48, seed: 7, downsample: 6 });

describe('AIS traffic simulator: the stream', () => {
  const a = run({ vessels: 10, hours: 30, downsample: 5 });

  it('is the same for the same seed, event for event, and differs for another seed', () => {
    const again = run({ vessels: 10, hours: 30, downsample: 5 });
    expect(again.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
    expect(again.sim.manifest).toEqual(a.sim.manifest);
    const other = run({ vessels: 10, hours: 30, downsample: 5, seed: 8 });
    expect(other.events.map((e) => e.id)).not.toEqual(a.events.map((e) => e.id));
  });

  it('comes in event-time order, inside the simulated period, with unique ids', () => {
    const times = a.events.map((e) => ms(e.time));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
    expect(times[0]).toBeGreaterThanOrEqual(a.sim.startMs);
    expect(times[times.length - 1]).toBeLessThan(a.sim.endMs);
    expect(new Set(a.events.map((e) => e.id)).size).toBe(a.events.length);
    expect(a.sim.countEvents()).toBe(a.events.length);
  });

  it('consists of valid contract events, subject = MMSI, both kinds for every vessel', () => {
    const sample = a.events.filter((_, i) => i % 25 === 0);
    for (const e of sample) {
      expect(validateCloudEvent(e)).toMatchObject({ ok: true });
      expect(e.subject).toBe(e.data.mmsi);
      expect(e.time).toBe(e.data.at);
    }
    expect(a.positions.size).toBe(10);
    expect(a.statics.size).toBe(10);
  });
});

describe('AIS traffic simulator: reporting intervals (ITU-R M.1371 class A)', () => {
  // The simulator always reports a speed.
  const expected = ({ sog = NaN, navStatus }: VesselPositionData): number =>
    (navStatus === 1 || navStatus === 5) && sog <= 3 ? 180_000 : sog > 23 ? 2_000 : sog > 14 ? 6_000 : 10_000;

  function intervals(result: ReturnType<typeof run>, downsample: number) {
    const counts = new Map<string, number>();
    for (const [mmsi, list] of result.positions) {
      const gapVessel = result.sim.manifest.some((m) => m.rule === 'ais-gap' && m.mmsis.includes(mmsi));
      for (let i = 1; i < list.length; i++) {
        const step = ms(list[i].at) - ms(list[i - 1].at);
        if (gapVessel && step > 180_000 * downsample) continue;
        const want = expected(list[i - 1]) * downsample;
        const key = `${want === step ? 'ok' : `bad ${step} != ${want}`} ${want / downsample / 1000}s`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    return counts;
  }

  it('follows the rate table: 10 s up to 14 kn, 6 s to 23 kn, 2 s above, 3 min moored or at anchor', () => {
    expect(
      [0, 13.9, 14, 14.1, 23, 23.1].map((v) => classAReportingIntervalMs(v, NavStatus.UnderWayUsingEngine)),
    ).toEqual([10_000, 10_000, 10_000, 6_000, 6_000, 2_000]);
    expect(classAReportingIntervalMs(0, NavStatus.Moored)).toBe(180_000);
    expect(classAReportingIntervalMs(0.1, NavStatus.AtAnchor)).toBe(180_000);
    expect(classAReportingIntervalMs(4, NavStatus.AtAnchor)).toBe(10_000);
  });

  it('reports at the rate of its last speed and status, at full rate', () => {
    const counts = intervals(run({ vessels: 8, hours: 10, seed: 3 }), 1);
    expect([...counts.keys()].filter((k) => k.startsWith('bad'))).toEqual([]);
    expect(counts.get('ok 10s')).toBeGreaterThan(1000);
    expect(counts.get('ok 180s')).toBeGreaterThan(50);
  });

  it('stretches every interval by the downsample factor, for all three rates in a larger fleet', () => {
    const counts = intervals(fleet, 6);
    expect([...counts.keys()].filter((k) => k.startsWith('bad'))).toEqual([]);
    expect(counts.get('ok 10s')).toBeGreaterThan(1000);
    expect(counts.get('ok 6s')).toBeGreaterThan(100);
    expect(counts.get('ok 180s')).toBeGreaterThan(100);
  });

  it('sends static and voyage data every 6 minutes', () => {
    const { statics } = run({ vessels: 9, hours: 6, seed: 3 });
    for (const list of statics.values()) {
      for (let i = 1; i < list.length; i++) expect(ms(list[i].at) - ms(list[i - 1].at)).toBe(360_000);
    }
  });
});

describe('AIS traffic simulator: planted anomalies and clean traffic', () => {
  const r = fleet;
  const only = (rule: string) => r.sim.manifest.filter((m) => m.rule === rule);
  const between = (mmsi: string, from: string, to: string) =>
    (r.positions.get(mmsi) ?? []).filter((p) => ms(p.at) >= ms(from) && ms(p.at) <= ms(to));

  it('plants one of each kind and lists them in the manifest', () => {
    expect(r.sim.skipped).toEqual([]);
    expect(r.sim.manifest.map((m) => m.rule).sort()).toEqual([
      'ais-gap',
      'draught-change',
      'encounter',
      'identity-change',
      'identity-change',
      'loitering',
    ]);
  });

  it('an AIS gap: no position for at least 12 h, both ends well away from ports', () => {
    const [gap] = only('ais-gap');
    const list = r.positions.get(gap.mmsis[0]) as VesselPositionData[];
    const inside = list.filter((p) => ms(p.at) > ms(gap.from) && ms(p.at) < ms(gap.to));
    expect(inside).toEqual([]);
    expect(ms(gap.to) - ms(gap.from)).toBeGreaterThanOrEqual(12 * MS_PER_HOUR);
    const [before, after] = [list.find((p) => p.at === gap.from), list.find((p) => p.at === gap.to)];
    expect(kmFromPorts(before as VesselPositionData)).toBeGreaterThan(10);
    expect(kmFromPorts(after as VesselPositionData)).toBeGreaterThan(10);
  });

  it('an encounter: two vessels within 500 m at under 2 kn for at least 2 h, over 10 km from ports', () => {
    const [enc] = only('encounter');
    expect(ms(enc.to) - ms(enc.from)).toBeGreaterThanOrEqual(2 * MS_PER_HOUR);
    const [one, two] = enc.mmsis.map((m) => between(m, enc.from, enc.to));
    expect(one.length).toBeGreaterThan(100);
    for (const p of one) {
      const q = two.reduce((best, c) =>
        Math.abs(ms(c.at) - ms(p.at)) < Math.abs(ms(best.at) - ms(p.at)) ? c : best,
      );
      expect(distanceKm([p.lon, p.lat], [q.lon, q.lat])).toBeLessThan(0.5);
      expect(p.sog).toBeLessThan(2);
      expect(q.sog).toBeLessThan(2);
      expect(kmFromPorts(p)).toBeGreaterThan(10);
    }
  });

  it('loitering: under 2 kn for at least 4 h, over 10 km from ports', () => {
    const [loiter] = only('loitering');
    expect(ms(loiter.to) - ms(loiter.from)).toBeGreaterThanOrEqual(4 * MS_PER_HOUR);
    const slow = between(loiter.mmsis[0], loiter.from, loiter.to);
    expect(slow.length).toBeGreaterThan(100);
    for (const p of slow) {
      expect(p.sog).toBeLessThan(2);
      expect(kmFromPorts(p)).toBeGreaterThan(10);
    }
  });

  it('a draught change of at least 0.5 m at sea, with no port call between the reports', () => {
    const [change] = only('draught-change');
    const list = r.statics.get(change.mmsis[0]) as VesselStaticData[];
    const before = list.find((s) => s.at === change.from) as VesselStaticData;
    const after = list.find((s) => s.at === change.to) as VesselStaticData;
    expect(Math.abs((after.draught as number) - (before.draught as number))).toBeGreaterThanOrEqual(0.5);
    for (const p of between(change.mmsis[0], change.from, change.to))
      expect(kmFromPorts(p)).toBeGreaterThan(10);
  });

  it('identity changes: a new name and flag on the same MMSI, and a position jump at an impossible speed', () => {
    const [rename, jump] = [...only('identity-change')].sort((x, y) => x.detail.localeCompare(y.detail));
    const statics = r.statics.get(rename.mmsis[0]) as VesselStaticData[];
    const before = statics.find((s) => s.at === rename.from) as VesselStaticData;
    const after = statics.find((s) => s.at === rename.to) as VesselStaticData;
    expect(after.name).not.toBe(before.name);
    expect(after.flag).not.toBe(before.flag);
    expect(before.flag).toBe(flagOfMmsi(rename.mmsis[0]));
    expect(after.flag).not.toBe(flagOfMmsi(rename.mmsis[0]));
    const fixes = between(jump.mmsis[0], jump.from, jump.to);
    const speeds = fixes.slice(1).map((p, i) => kn(fixes[i], p));
    expect(speeds.filter((s) => s > 50)).toHaveLength(2);
  });

  describe('clean vessels stay below every default threshold', () => {
    const clean = r.sim.plans.filter((p) => p.role === 'clean').map((p) => p.mmsi);

    it('report without gaps and never move impossibly fast', () => {
      expect(clean.length).toBe(23);
      let longestStepMs = 0;
      let fastestKn = 0;
      for (const mmsi of clean) {
        const list = r.positions.get(mmsi) as VesselPositionData[];
        for (let i = 1; i < list.length; i++) {
          longestStepMs = Math.max(longestStepMs, ms(list[i].at) - ms(list[i - 1].at));
          fastestKn = Math.max(fastestKn, kn(list[i - 1], list[i]));
        }
      }
      expect(longestStepMs).toBe(180_000 * 6);
      expect(fastestKn).toBeLessThan(20);
    });

    it('are slow only inside a port, so they neither loiter nor meet at sea', () => {
      const slowAtSea = clean.flatMap((mmsi) =>
        (r.positions.get(mmsi) as VesselPositionData[]).filter(
          (p) => (p.sog ?? NaN) < 2 && kmFromPorts(p) > 0,
        ),
      );
      expect(slowAtSea).toEqual([]);
    });

    it('change draught only while stopped in port, and never their name or flag', () => {
      for (const mmsi of clean) {
        const statics = r.statics.get(mmsi) as VesselStaticData[];
        const positions = r.positions.get(mmsi) as VesselPositionData[];
        expect(new Set(statics.map((s) => `${s.name}|${s.flag}|${s.callsign}|${s.imo}`)).size).toBe(1);
        expect(statics[0].flag).toBe(flagOfMmsi(mmsi));
        for (let i = 1; i < statics.length; i++) {
          if (statics[i].draught === statics[i - 1].draught) continue;
          const during = positions.filter((p) => p.at >= statics[i - 1].at && p.at <= statics[i].at);
          expect(during.every((p) => (p.sog ?? NaN) < 0.2 && kmFromPorts(p) <= 0)).toBe(true);
        }
      }
    });
  });
});

describe('AIS traffic simulator: options', () => {
  it('refuses more anomaly sets than the fleet can carry, and bad times', () => {
    expect(() => simulateTraffic({ vessels: 6, hours: 24, seed: 1, start: START, anomalySets: 1 })).toThrow(
      /need 7 vessels/,
    );
    expect(() => simulateTraffic({ vessels: 6, hours: 24, seed: 1, start: 'yesterday' })).toThrow(/RFC 3339/);
  });

  it('runs clean traffic only when the fleet is too small for anomalies', () => {
    const sim = simulateTraffic({ vessels: 3, hours: 6, seed: 1, start: START, downsample: 10 });
    expect(sim.manifest).toEqual([]);
    expect(sim.plans).toHaveLength(3);
  });

  it('plants an encounter in 30 h even when the first lane it draws is too long for the partner', () => {
    // With these seeds the partner's leg from the far end of the first lane drawn ends after the period.
    for (const seed of [11, 24, 37]) {
      const sim = simulateTraffic({ vessels: 7, hours: 30, seed, start: START });
      expect(sim.skipped).toEqual([]);
      expect(sim.manifest.filter((m) => m.rule === 'encounter')).toHaveLength(1);
    }
  });

  it('keeps the slow vessels of several sets 20 km apart, so they never meet by accident', () => {
    // Drawn from the same few lanes, two sets' encounters or loiterers would otherwise share a spot.
    for (const seed of [12, 13]) {
      const sim = simulateTraffic({ vessels: 70, hours: 48, seed, start: START, anomalySets: 10 });
      const circles = new Map<string, LonLat>();
      for (const plan of sim.plans)
        for (const leg of plan.legs)
          if (leg.kind === 'drift' && !leg.silent) circles.set(leg.center.join(), leg.center);
      expect(circles.size).toBe(20);
      const centres = [...circles.values()];
      const closest = Math.min(
        ...centres.flatMap((a, i) => centres.slice(i + 1).map((b) => distanceKm(a, b))),
      );
      // Sites 20 km apart, each circle's centre up to 0.8 km from its site.
      expect(closest).toBeGreaterThan(18.4);
    }
  });

  it('skips anomalies that do not fit into a short period, and says so', () => {
    const sim = simulateTraffic({ vessels: 7, hours: 8, seed: 1, start: START, downsample: 10 });
    expect(sim.skipped).toContain('ais-gap');
    expect(sim.manifest.every((m) => ms(m.to) <= sim.endMs)).toBe(true);
  });
});
