import {
  MaritimeScenario,
  minutes,
  NAMPO,
  OPEN_SEA,
  offsetKm,
  position,
  staticReport,
  track,
} from './testing/maritime-scenario';

const V = '413555000';
const drift = (count: number, reportedSog: number, from = OPEN_SEA, start = 0) =>
  track(V, { from, start: minutes(start), everyMinutes: 10, count, sog: 0.1, reportedSog });

describe('loitering rule', () => {
  it('flags a vessel slower than 2 kn for 4 h, 10 km or more from any port', () => {
    const s = new MaritimeScenario().feed(
      [staticReport(V, minutes(-5), { name: 'YU PENG 7' })],
      drift(25, 1.2),
    );

    const [flag] = s.flags('loitering');
    expect(s.flags('loitering')).toHaveLength(1);
    expect(flag).toMatchObject({
      subject: { kind: 'vessel', id: V },
      severity: 'medium',
      consignmentIds: [],
      raisedAt: new Date(minutes(240)).toISOString(),
      observed: { hours: 4, meanSpeedKn: 1.2, ongoing: true },
      threshold: { maxSpeedKn: 2, minDurationHours: 4, minPortDistanceKm: 10 },
      evidence: [`pos-${V}-${minutes(0)}`, `pos-${V}-${minutes(240)}`],
    });
    expect(flag.explanation).toMatch(
      /^YU PENG 7 \(MMSI 413555000\) has been drifting at 1\.2 kn on average for 4 h around 36\.50°N 123\.50°E, \d+ km from the nearest port \(\w+\)\.$/,
    );
  });

  it('does not flag at 3 h 50 min', () => {
    expect(new MaritimeScenario().feed(drift(24, 1.2)).flags('loitering')).toEqual([]);
  });

  it('does not count samples at 2 kn as slow', () => {
    expect(new MaritimeScenario().feed(drift(40, 2)).flags('loitering')).toEqual([]);
  });

  it('does not flag a vessel waiting within 10 km of a port', () => {
    const roads = offsetKm(NAMPO, 0, -(NAMPO.radiusKm + 8));
    expect(new MaritimeScenario().feed(drift(40, 0.5, roads)).flags('loitering')).toEqual([]);
  });

  it('survives one fast sample but not two in a row', () => {
    const withBlip = drift(25, 1).map((e, i) => (i === 12 ? position(V, minutes(120), OPEN_SEA, 2.5) : e));
    expect(new MaritimeScenario().feed(withBlip).flags('loitering')).toHaveLength(1);

    const withBurst = drift(25, 1).map((e, i) =>
      i === 12 || i === 13 ? position(V, minutes(i * 10), OPEN_SEA, 2.5) : e,
    );
    expect(new MaritimeScenario().feed(withBurst).flags('loitering')).toEqual([]);
  });

  it('breaks a run when reports stop for more than 2 h', () => {
    const s = new MaritimeScenario().feed(drift(12, 1), drift(13, 1, OPEN_SEA, 250));
    expect(s.flags('loitering')).toEqual([]);
  });

  it('supersedes the flag with the whole run when the vessel gets under way', () => {
    const s = new MaritimeScenario().feed(
      drift(37, 0.8), // 0 .. 360 min
      track(V, { from: OPEN_SEA, start: minutes(370), everyMinutes: 10, count: 3, sog: 11 }),
    );
    const [ongoing, final] = s.flags('loitering');
    expect(s.cleared).toEqual([
      expect.objectContaining({ flagId: ongoing.flagId, reason: 'superseded by new evidence' }),
    ]);
    expect(final.fingerprint).toBe(ongoing.fingerprint);
    expect(final.observed).toMatchObject({ hours: 6, ongoing: false });
    expect(final.explanation).toContain('drifted at 0.8 kn on average for 6 h');
  });

  it('escalates when aid is on board and names the consignments', () => {
    const s = new MaritimeScenario({ onBoard: { [V]: ['C-7'] } }).feed(drift(25, 1));
    expect(s.flags('loitering')[0]).toMatchObject({ severity: 'high', consignmentIds: ['C-7'] });
    expect(s.flags('loitering')[0].explanation).toMatch(/; aid on board: C-7\.$/);
  });
});
