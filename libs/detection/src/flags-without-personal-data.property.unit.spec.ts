import fc from 'fast-check';
import { EventTypes, upcastEvent, type AidEvent, type Flag, type FlagClearedData } from '@aidwatch/domain';
import { flagRaisedV1 } from '@aidwatch/domain/testing';
import { defaultDetectionConfig } from './detection-config';
import { DetectionEngine, eventTimeOf } from './detection-engine';
import { interleavedBySource } from './diversion/testing/diversion-harness';
import { storyEvents } from './diversion/testing/diversion-story.fixture';

/*
 * Flags never carry personal data (contract 1.2): whoever the monitors and recipients of a story are, no
 * flag the engine raises or clears names them — not in `observed`, `threshold`, `evidence` or `explanation`.
 * Stories are the diversion story (eight consignments, every diversion rule) with generated monitor ids and
 * recipients' names, in a generated interleaving of its sources and judged up to a generated horizon.
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261201;
const DAY = 86_400_000;

const family = fc.constantFrom('Kim', 'Ri', 'Pak', 'Choe', 'Jong', 'Kang', 'Han', 'O');
const given = fc.stringMatching(/^[A-Z][a-z]{3,7}(-[a-z]{2,4})?$/);
const personName = fc.tuple(family, given).map(([f, g]) => `${f} ${g}`);
/** Monitor ids as field tools send them: a staff code, or a name. */
const monitorId = fc.oneof(fc.stringMatching(/^MON-[A-Z0-9]{3,8}$/), personName);
/** Who signed for a delivery: a name, with or without a role. */
const recipient = fc.oneof(
  personName,
  personName.map((n) => `Storekeeper ${n}`),
);

interface People {
  monitors: string[];
  recipients: string[];
  /** Which monitor made each visit (verification or denial), by index into `monitors`. */
  visits: number[];
  deliveries: number[];
}

const people: fc.Arbitrary<People> = fc.record({
  monitors: fc.uniqueArray(monitorId, { minLength: 1, maxLength: 4 }),
  recipients: fc.uniqueArray(recipient, { minLength: 1, maxLength: 4 }),
  visits: fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
  deliveries: fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
});

/** The story with these people in it: each visit and delivery gets one of the generated persons. */
function cast(p: People): AidEvent[] {
  let visit = 0;
  let delivery = 0;
  return storyEvents.map((event) => {
    switch (event.type) {
      case EventTypes.VerificationReported:
      case EventTypes.AccessDenied: {
        const monitor = p.monitors[p.visits[visit++ % p.visits.length] % p.monitors.length];
        return { ...event, data: { ...event.data, monitorId: monitor } } as AidEvent;
      }
      case EventTypes.DeliveryRecorded: {
        const who = p.recipients[p.deliveries[delivery++ % p.deliveries.length] % p.recipients.length];
        return { ...event, data: { ...event.data, receivedBy: who } } as AidEvent;
      }
      default:
        return event;
    }
  });
}

const interleaved = interleavedBySource;

/** Every flag event the engine writes for `events`, judged up to `horizon`. */
function flagsOf(events: readonly AidEvent[], horizon: number): Array<Flag | FlagClearedData> {
  const engine = new DetectionEngine(defaultDetectionConfig(), []);
  const out: Array<Flag | FlagClearedData> = [];
  const take = ({ raised, cleared }: ReturnType<DetectionEngine['handle']>) =>
    out.push(...cleared, ...raised);
  for (const e of events) take(engine.handle(e));
  take(engine.advanceWatermark(horizon));
  return out;
}

/** The personal values a flag quotes (an empty list when it quotes none). */
const leaksOf = (flag: unknown, personal: readonly string[]): string[] => {
  const text = JSON.stringify(flag);
  return personal.filter((value) => text.includes(value));
};

describe('flags name no person', () => {
  const end = Math.max(...storyEvents.map(eventTimeOf));

  it('whoever the monitors and recipients are, in any interleaving, up to any horizon', () => {
    fc.assert(
      fc.property(people, fc.noBias(fc.integer()), fc.integer({ min: 0, max: 90 }), (p, mergeSeed, extra) => {
        const flags = flagsOf(interleaved(cast(p), mergeSeed), end + extra * DAY);
        const rules = new Set(flags.map((f) => f.rule));
        // The rules that judge visits and deliveries did run on these people.
        for (const rule of ['access-denied', 'monitor-finding', 'quantity-shrinkage', 'verification-overdue'])
          expect(rules).toContain(rule);
        for (const flag of flags) expect(leaksOf(flag, [...p.monitors, ...p.recipients])).toEqual([]);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('the scan finds a planted name, and a v1 flag that quoted one is read without it', () => {
    const [flag] = flagsOf(
      cast({ monitors: ['MON-X1'], recipients: ['Ri Ok'], visits: [0], deliveries: [0] }),
      end,
    );
    expect(leaksOf({ ...flag, explanation: 'Monitor MON-X1 was denied access to …' }, ['MON-X1'])).toEqual([
      'MON-X1',
    ]);

    const denied = flagsOf(
      cast({ monitors: ['Kim Sol'], recipients: ['Ri Ok'], visits: [0], deliveries: [0] }),
      end,
    )
      .filter((f): f is Flag => 'explanation' in f && f.rule === 'access-denied')
      .find((f) => f.explanation.startsWith('A monitor was denied'))!;
    const v1: Flag = {
      ...denied,
      observed: { ...denied.observed, monitors: ['Kim Sol'] },
      explanation: denied.explanation.replace(/^A monitor /, 'Monitor Kim Sol '),
    };
    const read = upcastEvent({ type: 'aidwatch.flag.raised.v1', data: flagRaisedV1(v1) });
    expect((read.data as { data: Flag }).data).toEqual(denied);
  });
});
