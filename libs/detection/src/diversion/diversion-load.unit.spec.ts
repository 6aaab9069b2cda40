import { DiversionDetector } from './diversion-detector';
import { factTimeOf } from './consignment-facts';
import { feed, shuffled } from './testing/diversion-harness';
import { syntheticSeason } from './testing/diversion-load.fixture';

// 200 keeps the suite quick; DIVERSION_LOAD_CONSIGNMENTS=1000 DIVERSION_BENCH=1 measures a full season.
const CONSIGNMENTS = Number(process.env.DIVERSION_LOAD_CONSIGNMENTS ?? 200);

describe('DiversionDetector under a season of load', () => {
  const events = syntheticSeason(CONSIGNMENTS);
  const lastEventTime = Math.max(...events.map(factTimeOf));

  it(`folds ${CONSIGNMENTS} consignments × 20 events and flags exactly the injected problems`, () => {
    const detector = new DiversionDetector();
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    feed(detector, events);
    detector.advanceWatermark(lastEventTime + 365 * 24 * 3_600_000);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { user, system } = process.cpuUsage(cpu);
    const cpuSeconds = (user + system) / 1e6;

    const count = (rule: string) => detector.openFlags().filter((f) => f.rule === rule).length;
    const every = (n: number) => Math.ceil(CONSIGNMENTS / n);
    expect(events).toHaveLength(CONSIGNMENTS * 20 + 10);
    expect(count('access-denied')).toBe(CONSIGNMENTS);
    // A consignment short at discharge carries the loss at the discharge step only.
    expect(count('quantity-shrinkage')).toBe(every(10));
    expect(count('verification-overdue')).toBe(every(7) * 2);
    expect(detector.openFlags()).toHaveLength(CONSIGNMENTS + every(10) + every(7) * 2);
    if (process.env.DIVERSION_BENCH)
      process.stdout.write(
        `diversion: ${events.length} events in ${seconds.toFixed(3)} s wall (${Math.round(events.length / seconds)}/s), ` +
          `${cpuSeconds.toFixed(3)} s CPU (${Math.round(events.length / cpuSeconds)}/s)\n`,
      );
  });

  it('reaches the same flags from a shuffled delivery of the same events', () => {
    const inOrder = new DiversionDetector();
    feed(inOrder, events);
    const outOfOrder = new DiversionDetector();
    feed(outOfOrder, shuffled(events, 7));
    const ids = (d: DiversionDetector) =>
      d
        .openFlags()
        .map((f) => f.flagId)
        .sort();
    expect(ids(outOfOrder)).toEqual(ids(inOrder));
  });
});
