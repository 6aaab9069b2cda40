import { EventTypes, type AidEvent, type Flag, type InputClosed } from '@aidwatch/domain';
import { DetectionEngine } from '../detection-engine';
import { DiversionDetector } from './diversion-detector';
import {
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  SampleIds,
} from './testing/diversion-harness';

// A programme's old paperwork imported on a source of its own (and closed), while the live paperwork of
// another programme runs months ahead (docs/time-model.md 5).

const DAY = 86_400_000;
const OLD = '/org/wfp/archive/dprk-2024';
const LIVE = '/org/unicef/logistics/dprk';
const iso = (ms: number) => new Date(ms).toISOString();

function closed(source: string, at: number): InputClosed {
  return {
    specversion: '1.0',
    id: `closed-${source}-${at}`,
    source,
    type: EventTypes.InputClosed,
    time: iso(at),
    data: { source, at: iso(at) },
  };
}

const delivery = deliveryRecorded({ source: OLD });
const deliveredAt = Date.parse(delivery.data.at);
/** The old programme: its consignment delivered, never verified (due 30 days after the delivery). */
const history: AidEvent[] = [exemptionGranted(), consignmentRegistered({ source: OLD }), delivery];

/** Live paperwork (another programme's, not yet registered) from `fromDay` to `toDay` after the old delivery. */
function live(fromDay: number, toDay: number): AidEvent[] {
  const out: AidEvent[] = [];
  for (let d = fromDay; d <= toDay; d++)
    out.push(
      deliveryRecorded({
        id: `live-${d}`,
        source: LIVE,
        subject: 'CSG-LIVE-1',
        time: iso(deliveredAt + d * DAY),
        data: { consignmentId: 'CSG-LIVE-1', deliveryId: `DLV-LIVE-${d}`, at: iso(deliveredAt + d * DAY) },
      }),
    );
  return out;
}

const overdue = (flags: readonly Flag[]) =>
  flags.filter((f) => f.rule === 'verification-overdue' && f.subject.id === SampleIds.consignmentId);

function run(events: readonly AidEvent[], lane?: (e: AidEvent) => string | undefined) {
  const engine = new DetectionEngine();
  const raised: Flag[] = [];
  for (const e of events) raised.push(...engine.handle(e, lane?.(e)).raised);
  return { engine, raised };
}

describe('a closed consignment input (aidwatch.input.closed.v1)', () => {
  // The live feed runs 300 days ahead and keeps running; the import comes in meanwhile, then its close.
  const story = (closeAt: number | null): AidEvent[] => [
    ...live(300, 301),
    history[0],
    ...live(302, 302),
    history[1],
    ...live(303, 303),
    history[2],
    ...(closeAt === null ? [] : [closed(OLD, closeAt)]),
    ...live(304, 400),
  ];

  it('keeps the programme on its own clock: a verification due after the coverage ended is not flagged overdue', () => {
    const { engine, raised } = run(story(deliveredAt + 9 * DAY));
    expect(overdue(raised)).toEqual([]);
    expect(engine.diversion.clockOf(SampleIds.consignmentId)).toBe(deliveredAt + 9 * DAY);
    expect(engine.diversion.clocks.all().filter((i) => i.source === OLD && !i.closed)).toEqual([]);
  });

  it('flags a verification overdue within the coverage (the planted anomaly), once', () => {
    const { raised } = run(story(deliveredAt + 40 * DAY));
    expect(overdue(raised)).toHaveLength(1);
  });

  it('without the close, the import falls idle and follows the live clock (the flag the close prevents)', () => {
    const { raised } = run(story(null));
    expect(overdue(raised)).toHaveLength(1);
  });

  it('on Kafka: the close (keyed by source, on the AIS positions topic) closes the import on its consignment partitions; a rebuild from a checkpoint judges alike', () => {
    const lane = (e: AidEvent) =>
      e.type === EventTypes.InputClosed
        ? 'ais.positions.v1/4'
        : `aidwatch.consignments.v1/${e.id.length % 3}`;
    const events = story(deliveredAt + 9 * DAY);
    const whole = run(events, lane);
    expect(overdue(whole.raised)).toEqual([]);
    const cut = events.findIndex((e) => e.type === EventTypes.InputClosed) + 1;
    const first = run(events.slice(0, cut), lane);
    const restored = new DetectionEngine(
      undefined,
      undefined,
      JSON.parse(JSON.stringify(first.engine.snapshot())),
    );
    const rest: Flag[] = [];
    for (const e of events.slice(cut)) rest.push(...restored.handle(e, lane(e)).raised);
    expect([...first.raised, ...rest].map((f) => f.flagId)).toEqual(whole.raised.map((f) => f.flagId));
    expect(restored.diversion.clockOf(SampleIds.consignmentId)).toBe(
      whole.engine.diversion.clockOf(SampleIds.consignmentId),
    );
  });

  it('the diversion detector alone: a close of a source it never heard of closes it for later events', () => {
    const d = new DiversionDetector();
    d.handle(closed(OLD, deliveredAt + 9 * DAY));
    d.handle(history[1]);
    expect(d.clocks.input(OLD).closed).toBe(true);
  });
});
