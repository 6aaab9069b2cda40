import type { AidEvent } from '@aidwatch/domain';
import {
  MaritimeScenario,
  minutes,
  NAMPO,
  OPEN_SEA,
  offsetKm,
  staticReport,
  track,
  type TrackPlan,
} from './testing/maritime-scenario';

const A = '445123456';
const B = '352987654';

/** Two vessels side by side, `apartKm` north-south, both reporting every 5 minutes. */
function sideBySide(
  apartKm: number,
  plan: Omit<TrackPlan, 'from' | 'start' | 'everyMinutes'>,
  from = OPEN_SEA,
) {
  const common = { start: minutes(0), everyMinutes: 5, ...plan };
  return [track(A, { ...common, from }), track(B, { ...common, from: offsetKm(from, 0, apartKm) })];
}

const named = [staticReport(A, minutes(-30), { name: 'KUM UN SAN 3' })];

describe('encounter rule', () => {
  it('flags both vessels once they have stayed within 500 m for 2 h at a slow median, far from port', () => {
    const s = new MaritimeScenario({ onBoard: { [A]: ['C-1'] } }).feed(
      named,
      ...sideBySide(0.3, { count: 25, sog: 0.5 }), // 0 .. 120 min
    );

    const flags = s.flags('encounter');
    expect(flags.map((f) => f.subject.id).sort()).toEqual([B, A].sort());
    const onA = flags.find((f) => f.subject.id === A)!;
    expect(onA.raisedAt).toBe(new Date(minutes(120)).toISOString());
    expect(onA.observed).toMatchObject({ partnerMmsi: B, hours: 2, medianSpeedKn: 0.5, maxDistanceM: 300 });
    expect(onA.explanation).toMatch(
      /^KUM UN SAN 3 \(MMSI 445123456\) and MMSI 352987654 have stayed within 300 m of each other for 2 h at 0\.5 kn median near 36\.50°N 123\.50°E, \d+ km from the nearest port \(\w+\); aid on board: C-1\.$/,
    );
    expect(onA.evidence).toEqual(
      [
        `pos-${A}-${minutes(0)}`,
        `pos-${B}-${minutes(0)}`,
        `pos-${A}-${minutes(120)}`,
        `pos-${B}-${minutes(120)}`,
      ].sort(),
    );
    // Aid on either vessel is at stake, and it raises both flags a level.
    for (const f of flags) expect(f).toMatchObject({ consignmentIds: ['C-1'], severity: 'critical' });
  });

  it('does not flag at 1 h 50 min', () => {
    const s = new MaritimeScenario().feed(...sideBySide(0.3, { count: 23, sog: 0.5 }));
    expect(s.flags('encounter')).toEqual([]);
  });

  it('needs the vessels within 500 m: 480 m counts, 520 m does not', () => {
    const near = new MaritimeScenario().feed(...sideBySide(0.48, { count: 30, sog: 0 }));
    const far = new MaritimeScenario().feed(...sideBySide(0.52, { count: 30, sog: 0 }));
    expect(near.flags('encounter')).toHaveLength(2);
    expect(far.flags('encounter')).toEqual([]);
  });

  it('does not flag two vessels steaming together at 3 kn', () => {
    const s = new MaritimeScenario().feed(...sideBySide(0.3, { count: 40, sog: 3 }));
    expect(s.flags('encounter')).toEqual([]);
  });

  it('does not flag vessels waiting within 10 km of a port', () => {
    const offNampo = offsetKm(NAMPO, 0, -(NAMPO.radiusKm + 6));
    const s = new MaritimeScenario().feed(...sideBySide(0.3, { count: 40, sog: 0.2 }, offNampo));
    expect(s.flags('encounter')).toEqual([]);
  });

  it('merges pieces less than 4 h apart into one encounter, and not pieces further apart', () => {
    const meet = (start: number, count: number, apartKm: number): AidEvent[][] => [
      track(A, { from: OPEN_SEA, start: minutes(start), everyMinutes: 5, count, sog: 0, reportedSog: 0.4 }),
      track(B, {
        from: offsetKm(OPEN_SEA, 0, apartKm),
        start: minutes(start),
        everyMinutes: 5,
        count,
        sog: 0,
        reportedSog: 0.4,
      }),
    ];
    // close 0–60 min, 3 km apart for 1 h, close again 125–180 min: one piece of 3 h
    const merged = new MaritimeScenario().feed(
      ...meet(0, 13, 0.3),
      ...meet(65, 12, 3),
      ...meet(125, 12, 0.3),
    );
    expect(merged.flags('encounter')).toHaveLength(2);
    expect((merged.flags('encounter')[0].observed as { hours: number }).hours).toBeGreaterThanOrEqual(2);

    // close 1 h, apart 5 h, close 1 h: two pieces of 1 h, neither long enough
    const split = new MaritimeScenario().feed(...meet(0, 13, 0.3), ...meet(65, 60, 3), ...meet(365, 13, 0.3));
    expect(split.flags('encounter')).toEqual([]);
  });

  it('supersedes the flags with the final figures once the vessels have been apart for 4 h', () => {
    const together = sideBySide(0.3, { count: 31, sog: 0, reportedSog: 0.3 }); // 0 .. 150 min
    const bLeaves = track(B, {
      from: offsetKm(OPEN_SEA, 0, 0.3),
      start: minutes(155),
      everyMinutes: 10,
      count: 30,
      sog: 12,
    });
    const aStays = track(A, {
      from: OPEN_SEA,
      start: minutes(155),
      everyMinutes: 10,
      count: 30,
      sog: 0,
      reportedSog: 0.3,
    });
    const s = new MaritimeScenario().feed(...together, bLeaves, aStays);

    const [first, second, ...finals] = s.flags('encounter');
    expect(s.cleared.map((c) => c.flagId).sort()).toEqual([first.flagId, second.flagId].sort());
    expect(s.cleared.every((c) => c.reason === 'superseded by new evidence')).toBe(true);
    expect(finals).toHaveLength(2);
    expect(finals[0].fingerprint).toBe(first.fingerprint);
    expect(finals[0].observed).toMatchObject({ ongoing: false, hours: 2.5 });
    expect(finals[0].explanation).toContain('stayed within 300 m of each other for 2 h 30 min');
  });

  it('finds exactly the close pairs among hundreds of vessels through the grid', () => {
    const lists: AidEvent[][] = [];
    const common = { start: minutes(0), everyMinutes: 10, count: 15, sog: 0, reportedSog: 0.5 };
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) {
        lists.push(
          track(`4120${String(i * 20 + j).padStart(5, '0')}`, {
            ...common,
            from: offsetKm(OPEN_SEA, i * 2, j * 2),
          }),
        );
      }
    }
    for (const k of [1, 2, 3]) {
      lists.push(track(`2730000${k}0`, { ...common, from: offsetKm(OPEN_SEA, k * 6 + 0.25, k * 4) }));
    }
    const s = new MaritimeScenario().feed(...lists);
    const pairs = s
      .flags('encounter')
      .map((f) => [f.subject.id, (f.observed as { partnerMmsi: string }).partnerMmsi]);
    expect(
      pairs
        .map(([v]) => v)
        .filter((v) => v.startsWith('273'))
        .sort(),
    ).toEqual(['273000010', '273000020', '273000030']);
    expect(pairs).toHaveLength(6);
  });
});

describe('encounter rule, late tracks', () => {
  const together = (count: number) => sideBySide(0.3, { count, sog: 0.5 });

  it("finds the encounter when one vessel's whole track arrives hours after the other's", () => {
    const [a, b] = together(37); // 0 .. 180 min
    const inOrder = new MaritimeScenario().feed(a, b).advanceTo(minutes(60 * 48));
    const late = new MaritimeScenario();
    for (const e of [...a, ...b]) late.feed([e]); // all of A first, then all of B
    late.advanceTo(minutes(60 * 48));
    expect(
      late
        .open('encounter')
        .map((f) => f.flagId)
        .sort(),
    ).toEqual(
      inOrder
        .open('encounter')
        .map((f) => f.flagId)
        .sort(),
    );
    expect(late.open('encounter')).toHaveLength(2);
  });

  it('keeps at most maxSamplesPerVessel samples, the newest', () => {
    const s = new MaritimeScenario({ config: { encounter: { maxSamplesPerVessel: 5 } } }).feed(
      track(A, { from: OPEN_SEA, start: minutes(0), everyMinutes: 10, count: 12, sog: 0.5 }),
    );
    const slot = s.detector.rules.findIndex((rule) => rule.name === 'encounter');
    const state = s.detector.tracks.get(A)!.states[slot] as {
      samples: { size: number; oldestAt: number };
    };
    expect(state.samples.size).toBe(5);
    expect(state.samples.oldestAt).toBe(minutes(70));
  });

  it('counts a sample whose partner samples of that time are past the horizon', () => {
    const [a, b] = together(13);
    const aLater = track(A, {
      from: OPEN_SEA,
      start: minutes(60 * 10),
      everyMinutes: 10,
      count: 2,
      sog: 0.5,
    });
    const s = new MaritimeScenario({ config: { encounter: { lateHorizonHours: 2 } } });
    for (const e of [...a, ...aLater, ...b]) s.feed([e]);
    expect(s.detector.stats().encounterBeyondHorizon).toBeGreaterThan(0);
    expect(s.flags('encounter')).toEqual([]);
  });

  describe('a vessel judged dark too early (its source fell quiet while its track lagged the others)', () => {
    // A and B drift together for 6 h; B then leaves and reports for 12 h more. A is slow and far from port
    // throughout, and reports until 8 h.
    const meeting = () => [
      track(A, { from: OPEN_SEA, start: minutes(0), everyMinutes: 10, count: 49, sog: 0.4 }),
      track(B, {
        from: offsetKm(OPEN_SEA, 0, 0.3),
        start: minutes(0),
        everyMinutes: 10,
        count: 37,
        sog: 0.4,
      }),
      track(B, {
        from: offsetKm(OPEN_SEA, 0, 0.3),
        start: minutes(370),
        everyMinutes: 10,
        count: 72,
        sog: 12,
      }),
    ];
    const ids = (s: MaritimeScenario, rule: 'encounter' | 'loitering') =>
      s
        .open(rule)
        .map((f) => [f.subject.id, f.flagId, f.evidence.join(' '), f.observed.hours])
        .sort();

    it('ends with the encounter and the loitering run event-time order gives, not two halves', () => {
      const [a, b1, b2] = meeting();
      const inOrder = new MaritimeScenario().feed(a, b1, b2).advanceTo(minutes(60 * 40));
      expect(ids(inOrder, 'encounter')).toHaveLength(2);
      expect(inOrder.open('encounter')[0].observed.hours).toBe(6);

      // B's whole track first with A's first 2 h; A's source falls quiet (A looks dark: B is 16 h ahead),
      // then the rest of A's track comes.
      const s = new MaritimeScenario().feed(b1, b2, a.slice(0, 13));
      s.inputQuiet();
      expect(s.open('ais-gap').map((f) => f.subject.id)).toEqual([A]);
      s.feed(a.slice(13)).advanceTo(minutes(60 * 40));
      expect(ids(s, 'encounter')).toEqual(ids(inOrder, 'encounter'));
      expect(ids(s, 'loitering')).toEqual(ids(inOrder, 'loitering'));
      // The early silence was filled; the one after A's last fix is the in-order one.
      expect(s.open('ais-gap').map((f) => f.flagId)).toEqual(inOrder.open('ais-gap').map((f) => f.flagId));
    });
  });
});
