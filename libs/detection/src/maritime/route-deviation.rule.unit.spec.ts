import {
  hours,
  INCHEON,
  MaritimeScenario,
  minutes,
  NAMPO,
  offsetKm,
  registration,
  track,
} from './testing/maritime-scenario';

const CARRIER = '352444000';
const WEST = { lat: 38.8, lon: 122.5 };
const EAST = { lat: 38.8, lon: 124.5 };
const declared = registration(hours(-1), 'C-1', { mmsi: CARRIER, name: 'AID STAR' }, 'CNDLC', 'KPNAM', [
  WEST,
  EAST,
]);
const NM = 1.852;

/** An hour of steaming east at 10 kn, `southNm` south of the declared route. */
const steamOff = (southNm: number, count = 7) =>
  track(CARRIER, {
    from: offsetKm(WEST, 20, -southNm * NM),
    start: minutes(0),
    everyMinutes: 10,
    count,
    sog: 10,
  });

describe('route-deviation rule', () => {
  const onBoard = { [CARRIER]: ['C-1'] };

  it('does not flag a carrier on its declared route', () => {
    const s = new MaritimeScenario({ onBoard }).feed([declared], steamOff(0, 40));
    expect(s.flags('route-deviation')).toEqual([]);
  });

  it('flags a carrier more than 50 nm off its route for 30 min', () => {
    const s = new MaritimeScenario({ onBoard }).feed([declared], steamOff(60));
    const [flag] = s.flags('route-deviation');
    expect(s.flags('route-deviation')).toHaveLength(1);
    expect(flag).toMatchObject({
      severity: 'critical',
      consignmentIds: ['C-1'],
      raisedAt: new Date(minutes(30)).toISOString(),
      observed: { consignmentId: 'C-1', offRouteNm: 60, outsideMinutes: 30 },
      threshold: { corridorNm: 50, minOutsideMinutes: 30 },
    });
    expect(flag.evidence).toEqual(
      [declared.id, `pos-${CARRIER}-${minutes(0)}`, `pos-${CARRIER}-${minutes(30)}`].sort(),
    );
    expect(flag.explanation).toMatch(
      /^MMSI 352444000, carrying consignment C-1, has been up to 60 nm \(111 km\) off its declared route for 30 min, now at 37\.80°N 122\.\d\d°E; the corridor is 50 nm; aid on board: C-1\.$/,
    );
  });

  it('a registration that arrives after the track is judged against it: the flag a timely one raises', () => {
    // Time model 9: the late registration has the corridor judged again over the carrier's positions
    // already folded (read through `VesselHistory`), from the time the aid came on board.
    const timely = new MaritimeScenario({ onBoard }).feed([declared], steamOff(60));
    const late = new MaritimeScenario({ onBoard, onBoardSince: { [CARRIER]: minutes(0) } })
      .feed(steamOff(60))
      .feed([declared])
      .advanceTo(hours(48));
    expect(timely.flags('route-deviation')).toHaveLength(1);
    expect(late.flags('route-deviation')).toEqual(timely.flags('route-deviation'));
    expect(late.cleared).toEqual([]);
    expect(late.detector.counters).toMatchObject({ routeReplays: 1, routeReplaySamples: 7 });

    // Registered after a track that kept to the route: judged, nothing raised.
    const onRoute = new MaritimeScenario({ onBoard, onBoardSince: { [CARRIER]: minutes(0) } })
      .feed(steamOff(0, 40))
      .feed([declared]);
    expect(onRoute.flags('route-deviation')).toEqual([]);
    expect(onRoute.detector.counters.routeReplays).toBe(1);
  });

  it('a registration in time asks for no replay (no history is read)', () => {
    const s = new MaritimeScenario({ onBoard, onBoardSince: { [CARRIER]: minutes(0) } }).feed(
      [declared],
      steamOff(60),
    );
    expect(s.detector.counters.routeReplays).toBe(0);
    expect(s.flags('route-deviation')).toHaveLength(1);
  });

  it('a discharge reported after the flag, dated before it, clears it: the aid was not on board', () => {
    const aboard: Record<string, string[]> = { [CARRIER]: ['C-1'] };
    const s = new MaritimeScenario({ onBoard: aboard }).feed([declared], steamOff(60));
    const [flag] = s.flags('route-deviation');
    aboard[CARRIER] = [];
    s.discharged(CARRIER, 'C-1', minutes(20));
    expect(s.cleared).toEqual([
      expect.objectContaining({
        flagId: flag.flagId,
        reason: 'superseded by new evidence: aid not on board',
      }),
    ]);
    // A discharge dated after the flag leaves it open.
    const kept = new MaritimeScenario({ onBoard }).feed([declared], steamOff(60));
    kept.discharged(CARRIER, 'C-1', minutes(50));
    expect(kept.cleared).toEqual([]);
  });

  it('positions older than the replay horizon are not judged again, and that is counted', () => {
    // A horizon of 0.01 day (14.4 min) before the newest position: the excursion's start is beyond it.
    const s = new MaritimeScenario({
      onBoard,
      onBoardSince: { [CARRIER]: minutes(0) },
      config: { routeDeviation: { replayHorizonDays: 0.01 } },
    })
      .feed(steamOff(60))
      .feed([declared]);
    expect(s.flags('route-deviation')).toEqual([]);
    expect(s.detector.counters).toMatchObject({ routeReplays: 1, routeReplaysTruncated: 1 });
  });

  it('a replay that reads as many reports as allowed judges them and clears nothing', () => {
    const aboard: Record<string, string[]> = { [CARRIER]: ['C-1'] };
    const s = new MaritimeScenario({
      onBoard: aboard,
      onBoardSince: { [CARRIER]: minutes(0) },
      config: { routeDeviation: { replayMaxFixes: 3 } },
    })
      .feed(steamOff(60))
      .feed([declared]);
    expect(s.flags('route-deviation')).toEqual([]);
    expect(s.detector.counters).toMatchObject({ routeReplaySamples: 3, routeReplaysTruncated: 1 });
  });

  it('does not flag 40 nm off the route, nor 60 nm off for only 20 min', () => {
    expect(new MaritimeScenario({ onBoard }).feed([declared], steamOff(40)).flags('route-deviation')).toEqual(
      [],
    );
    expect(
      new MaritimeScenario({ onBoard }).feed([declared], steamOff(60, 3)).flags('route-deviation'),
    ).toEqual([]);
  });

  it('names only the consignment whose declared route or ports it judges, not the other aid on board', () => {
    // Another consignment on the same carrier (another organisation's, maybe) declared no route: the
    // deviation from C-1's declared route is C-1's alone, and so is a port call C-1 did not declare.
    const s = new MaritimeScenario({ onBoard: { [CARRIER]: ['C-1', 'C-OTHER'] } }).feed(
      [declared],
      steamOff(60),
    );
    const flags = s.flags('route-deviation');
    expect(flags).toHaveLength(1);
    expect(flags[0].consignmentIds).toEqual(['C-1']);
    expect(flags[0].explanation).toMatch(/; aid on board: C-1\.$/);
    expect(JSON.stringify(flags)).not.toContain('C-OTHER');
  });

  it("other consignments' registrations naming the carrier (another organisation's, dozens) keep its declared voyage", () => {
    const others = Array.from({ length: 40 }, (_, i) =>
      registration(hours(-1) + i, `C-X${i}`, { mmsi: CARRIER, name: 'AID STAR' }, 'JPTYO', 'JPOSA', [
        { lat: 10, lon: 150 },
        { lat: 11, lon: 151 },
      ]),
    );
    const s = new MaritimeScenario({ onBoard }).feed([declared, ...others], steamOff(60));
    expect(s.flags('route-deviation').map((f) => f.consignmentIds)).toEqual([['C-1']]);
  });

  it('registrations past the kept voyages push out those only bound for the carrier, not one whose aid is aboard', () => {
    const others = Array.from({ length: 12 }, (_, i) =>
      registration(hours(-1) + 1 + i, `C-X${i}`, { mmsi: CARRIER, name: 'AID STAR' }, 'JPTYO', 'JPOSA', [
        { lat: 10, lon: 150 },
        { lat: 11, lon: 151 },
      ]),
    );
    const config = { routeDeviation: { maxVoyagesPerVessel: 4 } };
    const s = new MaritimeScenario({ onBoard, config }).feed([declared, ...others], steamOff(60));
    expect(s.flags('route-deviation').map((f) => f.consignmentIds)).toEqual([['C-1']]);
  });

  it('ignores the route once the consignment is no longer on board', () => {
    const s = new MaritimeScenario({ onBoard: {} }).feed([declared], steamOff(80));
    expect(s.flags('route-deviation')).toEqual([]);
  });

  it('flags a port call at a port other than the declared origin and destination', () => {
    const stop = (at: typeof NAMPO) =>
      track(CARRIER, {
        from: { lat: at.lat, lon: at.lon },
        start: hours(1),
        everyMinutes: 10,
        count: 4,
        sog: 0,
      });

    const atIncheon = new MaritimeScenario({ onBoard }).feed([declared], stop(INCHEON));
    const call = atIncheon.flags('route-deviation').filter((f) => f.observed.port !== undefined);
    expect(call).toEqual([
      expect.objectContaining({
        observed: expect.objectContaining({ port: 'KRINC', portName: 'Incheon' }),
        explanation:
          'MMSI 352444000, carrying consignment C-1 from CNDLC to KPNAM, called at Incheon (KRINC) on ' +
          '2026-11-20 01:00 UTC, an undeclared port; aid on board: C-1.',
      }),
    ]);

    const atNampo = new MaritimeScenario({ onBoard }).feed([declared], stop(NAMPO));
    expect(atNampo.flags('route-deviation')).toEqual([]);

    // Registered after the call: the replay finds the visit in the stored positions, the same flag.
    const late = new MaritimeScenario({ onBoard, onBoardSince: { [CARRIER]: minutes(0) } })
      .feed(stop(INCHEON))
      .feed([declared]);
    expect(late.flags('route-deviation')).toEqual(atIncheon.flags('route-deviation'));
    // Aboard only after the visit began: no call with the aid on board.
    const aboardLater = new MaritimeScenario({ onBoard, onBoardSince: { [CARRIER]: hours(1) + 1 } })
      .feed(stop(INCHEON))
      .feed([declared]);
    expect(aboardLater.flags('route-deviation')).toEqual([]);
  });
});
