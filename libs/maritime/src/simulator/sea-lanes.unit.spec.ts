import { defaultPorts } from '../ports/default-ports';
import { SeaLanes } from './sea-lanes';
import { distanceKm, Track, TrackMotion } from './track';

const ports = defaultPorts();
const lanes = new SeaLanes(ports);

describe('sea lanes between the default ports', () => {
  it('join every port to every other port', () => {
    expect(lanes.routablePorts()).toHaveLength(ports.length);
    const missing = ports.flatMap((a) =>
      ports.filter((b) => a !== b && !lanes.lane(a.locode, b.locode)).map((b) => `${a.locode}>${b.locode}`),
    );
    expect(missing).toEqual([]);
  });

  it('start and end at the harbours, inside the ports, and stay in the region', () => {
    for (const [from, to] of [
      ['KPNAM', 'CNDLC'],
      ['KPRJN', 'RUVVO'],
      ['KPNAM', 'KPCHO'],
      ['CNTXG', 'JPYOK'],
      ['KRINC', 'CNNGB'],
    ]) {
      const lane = lanes.lane(from, to)!;
      const [a, b] = [ports.find((p) => p.locode === from)!, ports.find((p) => p.locode === to)!];
      expect(distanceKm(lane[0], [a.lon, a.lat])).toBeLessThan(a.radiusKm);
      expect(distanceKm(lane[lane.length - 1], [b.lon, b.lat])).toBeLessThan(b.radiusKm);
      for (const [lon, lat] of lane) {
        expect(lon).toBeGreaterThan(116);
        expect(lon).toBeLessThan(141);
        expect(lat).toBeGreaterThan(29);
        expect(lat).toBeLessThan(44);
      }
    }
  });

  it('sail round the Korean peninsula between its west and east coasts, not across it', () => {
    const lane = new Track(lanes.lane('KPNAM', 'KPCHO')!);
    const southernmost = Math.min(...lane.points.map((p) => p[1]));
    expect(southernmost).toBeLessThan(34.6);
    expect(lane.lengthKm).toBeGreaterThan(1500);
  });

  it('are the same in both directions', () => {
    expect(lanes.lane('CNDLC', 'KPNAM')).toEqual([...lanes.lane('KPNAM', 'CNDLC')!].reverse());
  });
});

describe('motion along a track', () => {
  const track = new Track([
    [125.0, 38.0],
    [125.5, 38.0],
    [126.0, 38.5],
  ]);
  const motion = new TrackMotion(track, 0, 12, 6, 5, 5);

  it('covers the harbour stretches at harbour speed and the rest at cruise speed', () => {
    const cruiseKm = track.lengthKm - 10;
    expect(motion.durationMs).toBeCloseTo((10 / (6 * 1.852) + cruiseKm / (12 * 1.852)) * 3_600_000, 0);
    expect(motion.speedAt(1)).toBe(6);
    expect(motion.speedAt(track.lengthKm / 2)).toBe(12);
  });

  it('gives distance from time and time from distance consistently', () => {
    for (const km of [0, 2.5, 5, 30, track.lengthKm - 3, track.lengthKm]) {
      expect(motion.distanceAt(motion.timeToReach(km))).toBeCloseTo(km, 6);
    }
  });
});
