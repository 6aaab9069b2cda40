import {
  hours,
  MaritimeScenario,
  minutes,
  NAMPO,
  OPEN_SEA,
  staticReport,
  track,
} from './testing/maritime-scenario';

const V = '352100200';
const atSea = track(V, { from: OPEN_SEA, start: minutes(0), everyMinutes: 10, count: 60, sog: 0.5 });
const draught = (h: number, m: number) => staticReport(V, hours(h), { name: 'SEA STAR', draught: m });

describe('draught-change rule', () => {
  it('flags a draught change of 0.5 m at sea with no port call in between', () => {
    const s = new MaritimeScenario().feed(atSea, [draught(1, 5), draught(7, 5.5)]);

    const [flag] = s.flags('draught-change');
    expect(s.flags('draught-change')).toHaveLength(1);
    expect(flag).toMatchObject({
      severity: 'medium',
      raisedAt: new Date(hours(7)).toISOString(),
      observed: { fromM: 5, toM: 5.5, changeM: 0.5 },
      threshold: { minChangeM: 0.5 },
    });
    expect(flag.evidence).toEqual(
      [`static-${V}-${hours(1)}`, `static-${V}-${hours(7)}`, `pos-${V}-${hours(7)}`].sort(),
    );
    expect(flag.explanation).toMatch(
      /^SEA STAR \(MMSI 352100200\) reported its draught up from 5 m to 5\.5 m \(\+0\.5 m\) between 2026-11-20 01:00 UTC and 2026-11-20 07:00 UTC with no port call seen in between; last seen at 36\.50°N 123\.5\d°E, \d+ km from the nearest port \(\w+\)\.$/,
    );
  });

  it('ignores a change of 0.4 m', () => {
    const s = new MaritimeScenario().feed(atSea, [draught(1, 5), draught(7, 4.6)]);
    expect(s.flags('draught-change')).toEqual([]);
  });

  it('does not flag a change after a port call (within 3 km of the port, below 0.2 kn)', () => {
    const berth = { lat: NAMPO.lat, lon: NAMPO.lon };
    const inPort = track(V, { from: berth, start: hours(12), everyMinutes: 10, count: 12, sog: 0 });
    const s = new MaritimeScenario().feed(atSea, inPort, [draught(1, 5), draught(15, 9.2)]);
    expect(s.flags('draught-change')).toEqual([]);
  });

  it('treats a draught of 0 as not available', () => {
    const s = new MaritimeScenario().feed(atSea, [draught(1, 5), draught(3, 0), draught(5, 5.2)]);
    expect(s.flags('draught-change')).toEqual([]);
  });

  it('compares only with the previous report, so a second change raises a second flag', () => {
    const s = new MaritimeScenario().feed(atSea, [draught(1, 5), draught(3, 7), draught(5, 5)]);
    expect(s.flags('draught-change').map((f) => f.observed.changeM)).toEqual([2, -2]);
  });
});
