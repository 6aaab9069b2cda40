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
