import fc from 'fast-check';
import { RecentSamples } from './recent-samples';
import type { Sample } from './vessel-track';

const eventIds = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
  fc.uuid().map((id) => id.replace(/-/g, '_')),
);

const sample = (at: number, eventId: string, k: number): Sample => ({
  at,
  lat: 30 + k / 1000,
  lon: 120 - k / 1000,
  sog: k % 3 === 0 ? Number.NaN : k / 10,
  portKm: k % 4 === 0 ? Number.POSITIVE_INFINITY : k,
  eventId,
  portName: null,
});

describe('recent samples', () => {
  it('reads back what was pushed, in order, through any mix of pushes and drops (ids of any form)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            eventIds.map((id) => ({ push: id })),
            fc.nat({ max: 12 }).map((n) => ({ drop: n })),
          ),
          {
            maxLength: 300,
          },
        ),
        (ops) => {
          const samples = new RecentSamples();
          const model: Sample[] = [];
          let at = 1_000;
          let dropped = false;
          for (const op of ops) {
            if ('push' in op) {
              const s = sample((at += 60_000), op.push, model.length + at / 60_000);
              samples.push(s);
              model.push(s);
            } else {
              const n = Math.min(op.drop, model.length);
              samples.dropFirst(n);
              model.splice(0, n);
              dropped ||= n > 0;
            }
          }
          expect(samples.size).toBe(model.length);
          expect(samples.forgotten).toBe(dropped);
          model.forEach((s, i) => {
            expect(samples.at(i)).toBe(s.at);
            expect(samples.lat(i)).toBe(s.lat);
            expect(samples.lon(i)).toBe(s.lon);
            expect(samples.sog(i)).toBe(s.sog);
            expect(samples.portKm(i)).toBe(s.portKm);
            expect(samples.eventId(i)).toBe(s.eventId);
          });
          if (model.length > 0) expect(samples.oldestAt).toBe(model[0].at);
          for (const s of model) expect(samples.at(samples.firstFrom(s.at))).toBe(s.at);
          expect(samples.firstFrom(at + 1)).toBe(model.length);
          const again = RecentSamples.fromJSON(JSON.parse(JSON.stringify(samples.toJSON())));
          expect(again.toJSON()).toEqual(samples.toJSON());
        },
      ),
      { numRuns: 300 },
    );
  });
});
