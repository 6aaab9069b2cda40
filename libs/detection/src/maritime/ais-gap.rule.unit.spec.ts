import {
  hours,
  MaritimeScenario,
  minutes,
  NAMPO,
  OPEN_SEA,
  offsetKm,
  position,
  staticReport,
  track,
} from './testing/maritime-scenario';

const V = '445000111';
const lastSeen = track(V, { from: OPEN_SEA, start: minutes(0), everyMinutes: 10, count: 7, sog: 9 }); // until 60 min
const lastId = `pos-${V}-${minutes(60)}`;
const farAway = offsetKm(OPEN_SEA, 120, 40);

describe('ais-gap rule', () => {
  it('raises when the watermark passes 12 h without a position, away from port', () => {
    const s = new MaritimeScenario().feed(lastSeen);

    s.advanceTo(minutes(60 + 12 * 60 - 1));
    expect(s.flags('ais-gap')).toEqual([]);

    s.advanceTo(minutes(60 + 12 * 60));
    const [flag] = s.flags('ais-gap');
    expect(flag).toMatchObject({
      severity: 'high',
      raisedAt: new Date(minutes(60 + 12 * 60)).toISOString(),
      evidence: [lastId],
      observed: { silentHours: 12 },
      threshold: { minGapHours: 12, minPortDistanceKm: 10 },
    });
    expect(flag.explanation).toMatch(
      /^MMSI 445000111 has sent no position for 12 h since 2026-11-20 01:00 UTC, last seen at 36\.\d\d°N 123\.\d\d°E, \d+ km from the nearest port \(\w+\)\.$/,
    );
  });

  it('supersedes the flag with the whole silence when the vessel reappears at sea', () => {
    const s = new MaritimeScenario().feed(lastSeen);
    s.advanceTo(hours(14));
    s.feed([position(V, hours(21), farAway, 8)]);

    const [going, whole] = s.flags('ais-gap');
    expect(s.cleared.map((c) => c.flagId)).toEqual([going.flagId]);
    expect(whole.fingerprint).toBe(going.fingerprint);
    expect(whole.evidence).toEqual([lastId, `pos-${V}-${hours(21)}`].sort());
    expect(whole.observed).toMatchObject({ silentHours: 20 });
    expect(whole.explanation).toContain(
      'sent no position for 20 h (2026-11-20 01:00 UTC to 2026-11-20 21:00 UTC)',
    );
    expect(whole.explanation).toMatch(/reappearing 11\d km away/);
  });

  it('clears the flag when the vessel reappears in port: both ends must be away from port', () => {
    const s = new MaritimeScenario().feed(lastSeen);
    s.advanceTo(hours(14));
    s.feed([position(V, hours(30), { lat: NAMPO.lat, lon: NAMPO.lon }, 0)]);

    expect(s.flags('ais-gap')).toHaveLength(1);
    expect(s.cleared).toEqual([
      expect.objectContaining({
        rule: 'ais-gap',
        reason: expect.stringMatching(/^reappeared 0 m from the nearest port \(Nampo\)/),
      }),
    ]);
  });

  it('does not flag a vessel that falls silent in port', () => {
    const atBerth = track(V, {
      from: { lat: NAMPO.lat, lon: NAMPO.lon },
      start: minutes(0),
      everyMinutes: 10,
      count: 3,
      sog: 0,
    });
    const s = new MaritimeScenario().feed(atBerth);
    s.advanceTo(hours(20));
    s.feed([position(V, hours(24), farAway, 10)]);
    expect(s.flags('ais-gap')).toEqual([]);
  });

  it('flags the whole silence at once when it is only seen on reappearance', () => {
    const s = new MaritimeScenario().feed(lastSeen, [position(V, hours(14), farAway, 8)]);
    expect(s.flags('ais-gap')).toHaveLength(1);
    expect(s.flags('ais-gap')[0].observed).toMatchObject({ silentHours: 13 });
    expect(s.cleared).toEqual([]);
  });

  it('does not flag 11 h 50 min of silence', () => {
    const s = new MaritimeScenario().feed(lastSeen, [position(V, minutes(60 + 11 * 60 + 50), farAway, 8)]);
    s.advanceTo(minutes(60 + 11 * 60 + 50));
    expect(s.flags('ais-gap')).toEqual([]);
  });

  it('watches a vessel again after it reappears', () => {
    const s = new MaritimeScenario().feed(lastSeen);
    s.advanceTo(hours(14));
    s.feed([position(V, hours(21), farAway, 8)]);
    s.advanceTo(hours(33));
    expect(s.open('ais-gap').map((f) => f.raisedAt)).toEqual(
      [hours(21), hours(33)].map((t) => new Date(t).toISOString()),
    );
  });

  it('watches a vessel first known from a static report', () => {
    const s = new MaritimeScenario().feed([staticReport(V, minutes(-30), { name: 'PAEK MA' })], lastSeen);
    s.advanceTo(minutes(60 + 12 * 60));
    expect(s.flags('ais-gap')).toHaveLength(1);
  });

  it('forgets a vessel silent for 30 days', () => {
    const s = new MaritimeScenario().feed(lastSeen);
    s.advanceTo(hours(24 * 30));
    expect(s.detector.stats().trackedVessels).toBe(1);
    s.advanceTo(minutes(60 + 30 * 24 * 60));
    expect(s.detector.stats()).toMatchObject({ trackedVessels: 0, evicted: 1 });
    expect(s.flags('ais-gap')).toHaveLength(1);
  });
});

describe('ais-gap rule: positions that arrive late inside a flagged silence', () => {
  // Terrestrial AIS loses the vessel from 01:00 to 15:00 at sea; a satellite feed, hours behind, has
  // positions from inside that hole. They come after the terrestrial fix that ended the silence.
  const SAT = 'test/satellite';
  const heading = 100 / 14; // km per hour, eastward, so every position of the hole is at sea
  const at = (h: number) => offsetKm(OPEN_SEA, heading * (h - 1), 0);
  const back = position(V, hours(15), at(15), 8);
  const satellite = (h: number, where = at(h)) => ({
    ...position(V, hours(h), where, 8, `sat-${h}`),
    source: SAT,
  });
  const flagged = () => {
    const s = new MaritimeScenario().feed(lastSeen, [back]);
    expect(s.open('ais-gap')).toHaveLength(1);
    return s;
  };

  it('clears the flag when late positions leave no silence of 12 h, citing the position and its source', () => {
    const s = flagged();
    const [gap] = s.open('ais-gap');
    s.feed([satellite(8)]);
    expect(s.open('ais-gap')).toEqual([]);
    expect(s.cleared).toEqual([
      expect.objectContaining({
        flagId: gap.flagId,
        reason: `the silence was filled by a late position from ${SAT} (event sat-8, 2026-11-20 08:00 UTC)`,
        clearedAt: new Date(hours(8)).toISOString(),
      }),
    ]);
    expect(s.detector.stats()).toMatchObject({ lateDropped: 1, lateInGap: 1 });
  });

  it('supersedes it with the longest part that is still a gap: new figures, the late position as evidence', () => {
    const s = flagged();
    const [gap] = s.open('ais-gap');
    s.feed([satellite(2)]);
    const [rest] = s.open('ais-gap');
    expect(s.cleared).toEqual([
      expect.objectContaining({ flagId: gap.flagId, reason: 'superseded by new evidence' }),
    ]);
    expect(rest.fingerprint).toBe(gap.fingerprint);
    expect(rest.evidence).toEqual(['sat-2', back.id].sort());
    expect(rest.observed).toMatchObject({
      silentHours: 13,
      silentSince: new Date(hours(2)).toISOString(),
      movedKm: expect.closeTo((100 / 14) * 13, 0),
    });
    expect(rest.explanation).toContain(
      'sent no position for 13 h (2026-11-20 02:00 UTC to 2026-11-20 15:00 UTC)',
    );
    expect(rest.explanation).toContain(
      `a position that arrived late from ${SAT} (2026-11-20 02:00 UTC) shortened the silence`,
    );
    // A later position of the remaining part splits it again; one of the part already filled does nothing.
    s.feed([satellite(1.5)]);
    expect(s.open('ais-gap')).toEqual([rest]);
    s.feed([satellite(9)]);
    expect(s.open('ais-gap')).toEqual([]);
  });

  it('a position in the middle of a long silence leaves two gaps', () => {
    const s = new MaritimeScenario().feed(lastSeen, [position(V, hours(31), at(31), 8)]);
    const [gap] = s.open('ais-gap');
    s.feed([satellite(16)]);
    const open = s.open('ais-gap');
    expect(open.map((f) => [f.observed.silentSince, f.observed.silentHours])).toEqual([
      [new Date(hours(1)).toISOString(), 15],
      [new Date(hours(16)).toISOString(), 15],
    ]);
    expect(open[0].fingerprint).toBe(gap.fingerprint);
  });

  it('clears the flag when the late position is in port: both ends of a gap must be away from port', () => {
    const s = flagged();
    s.feed([satellite(3, { lat: NAMPO.lat, lon: NAMPO.lon })]);
    expect(s.open('ais-gap')).toEqual([]);
  });

  it('leaves the flag alone for a late position outside the silence', () => {
    const s = flagged();
    const [gap] = s.open('ais-gap');
    s.feed([satellite(0.5)]);
    expect(s.open('ais-gap')).toEqual([gap]);
    expect(s.detector.stats()).toMatchObject({ lateDropped: 1, lateInGap: 0 });
  });
});
