import type { AidEvent, Flag } from '@aidwatch/domain';
import { exemptionGranted } from '@aidwatch/domain/testing';
import {
  hours,
  minutes,
  OPEN_SEA,
  offsetKm,
  track,
} from '../../libs/detection/src/maritime/testing/maritime-scenario';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { EngineFeed } from '../support/engine-feed';
import { consignmentOf } from '../support/story-events';

// A second producer imports history after the demo (June–October 2026) is in: an AIS archive of five other
// vessels from November 2025 (positions every 5 minutes: an encounter, a loitering ship, one that goes dark
// for 14 h and reappears, two in transit) and an agency's records of 2024 consignments. Judged on the
// clocks of the inputs that report them, they must raise exactly what they raise on an empty store, and
// the demo's flags must not move.

const AIS = '/ais/archive/yellow-sea-2025';
const AGENCY = '/org/archive/logistics';
const as =
  (source: string) =>
  (e: AidEvent): AidEvent => ({ ...e, source });

function aisStory(): AidEvent[] {
  const meet = offsetKm(OPEN_SEA, 40, 0);
  const plans = [
    track('412900001', { from: meet, start: minutes(0), everyMinutes: 5, count: 48, sog: 0.4 }),
    track('412900002', {
      from: offsetKm(meet, 0.2, 0),
      start: minutes(2),
      everyMinutes: 5,
      count: 48,
      sog: 0.4,
    }),
    track('412900003', {
      from: offsetKm(OPEN_SEA, -80, 30),
      start: minutes(1),
      everyMinutes: 5,
      count: 72,
      sog: 0.6,
    }),
    // Dark from 01:00 to 15:00, then on again 100 km further.
    [
      ...track('412900004', {
        from: offsetKm(OPEN_SEA, 0, -60),
        start: minutes(0),
        everyMinutes: 5,
        count: 13,
        sog: 10,
      }),
      ...track('412900004', {
        from: offsetKm(OPEN_SEA, 100, -60),
        start: hours(15),
        everyMinutes: 5,
        count: 13,
        sog: 10,
      }),
    ],
    track('412900005', {
      from: offsetKm(OPEN_SEA, -40, -90),
      start: minutes(3),
      everyMinutes: 5,
      count: 200,
      sog: 12,
    }),
  ];
  // November 2025, months before the demo: the helpers' times are 2026-11-20, moved back a year.
  const shift = -365 * 24 * 3_600_000;
  const moved = (e: AidEvent): AidEvent => {
    const at = new Date(Date.parse((e.data as { at: string }).at) + shift).toISOString();
    return { ...e, id: `archive-${e.id}`, time: at, data: { ...(e.data as object), at } } as AidEvent;
  };
  return plans
    .flat()
    .map(moved)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
    .map(as(AIS));
}

function agencyStory(): AidEvent[] {
  const c = consignmentOf('CSG-ARCHIVE-1');
  return [
    exemptionGranted({ id: 'archive-exemption', source: AGENCY }),
    c.registered('2024-03-01T06:00:00Z', { RUTF: 4000 }),
    c.loaded('2024-03-04T14:00:00Z', { RUTF: 4000 }),
    c.discharged('2024-03-08T10:00:00Z', { RUTF: 3990 }),
    c.delivered(1, '2024-03-11T03:00:00Z', 'sariwon', { RUTF: 3000 }),
    c.delivered(2, '2024-03-12T03:00:00Z', 'haeju', { RUTF: 900 }),
    c.verified(1, '2024-03-20T05:00:00Z', 'sariwon', { RUTF: 3000 }),
    // Haeju is never verified; the agency's records go on to June.
    c.registered('2024-06-20T06:00:00Z', { RUTF: 100 }, { id: 'CSG-ARCHIVE-1/registered/2' }),
  ].map(as(AGENCY));
}

const subjectsOf = (events: AidEvent[]) =>
  new Set(events.map((e) => (e.data as { mmsi?: string; consignmentId?: string }).mmsi ?? e.subject));
const line = (f: Flag) => `${f.rule}:${f.subject.id}:${f.severity}:${f.flagId}`;

describe('a story dated months before the demo, posted after it by another producer', () => {
  const story = [...agencyStory(), ...aisStory()];
  const subjects = subjectsOf(story);
  const ofStory = (feed: EngineFeed) =>
    feed
      .openFlags()
      .filter((f) => subjects.has(f.subject.id))
      .map(line);
  const alone = new EngineFeed().feed(story);
  const demoOnly = new EngineFeed().feed(demoScenario() as AidEvent[]);
  const afterDemo = new EngineFeed().feed(demoScenario() as AidEvent[]).feed(story);

  it('raises something of every kind it holds on an empty store', () => {
    const rules = new Set(alone.openFlags().map((f) => f.rule));
    for (const rule of ['encounter', 'loitering', 'ais-gap', 'verification-overdue'])
      expect(rules).toContain(rule);
  });

  it('gives exactly the flags it gives on an empty store', () => {
    expect(ofStory(afterDemo)).toEqual(ofStory(alone));
    expect(
      afterDemo.raised
        .filter((f) => subjects.has(f.subject.id))
        .map(line)
        .sort(),
    ).toEqual(alone.raised.map(line).sort());
  });

  it("leaves the demo's flags as they were", () => {
    const demoFlags = (feed: EngineFeed) =>
      feed
        .openFlags()
        .filter((f) => !subjects.has(f.subject.id))
        .map(line);
    expect(demoFlags(afterDemo)).toEqual(demoFlags(demoOnly));
  });
});
