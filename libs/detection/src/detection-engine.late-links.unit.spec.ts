import type { AidEvent, Flag, FlagClearedData } from '@aidwatch/domain';
import {
  consignmentDeparted,
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
} from '@aidwatch/domain/testing';
import { defaultDetectionConfig } from './detection-config';
import { DetectionEngine, type EngineSnapshot } from './detection-engine';
import type { FlagChanges } from './open-flags';
import {
  byTime,
  hours,
  minutes,
  OPEN_SEA,
  offsetKm,
  position,
  staticReport,
  testPorts,
  track,
} from './maritime/testing/maritime-scenario';

// A carrier and the vessel it meets at sea, and the paperwork of the aid the carrier has on board: the
// vessel flags must end the same whether the paperwork comes before the flags or after them.

const CARRIER = '636100005';
const PARTNER = '352100002';
const BYSTANDER = '412100003';
const C = 'CSG-LATE-1';
const iso = (ms: number) => new Date(ms).toISOString();
const HORIZON = hours(32);

/** Drifting together for 5 h (encounter, loitering), a draught change, then 14 h dark and back 100 km on. */
function atSea(): AidEvent[] {
  const drifting = { start: minutes(0), everyMinutes: 5, sog: 0, reportedSog: 0.6 };
  return byTime(
    [
      staticReport(CARRIER, minutes(-20), { name: 'RYONG SONG 5', draught: 6.8 }),
      staticReport(CARRIER, hours(4), { name: 'RYONG SONG 5', draught: 5.4 }),
    ],
    track(CARRIER, { ...drifting, from: OPEN_SEA, count: 61 }),
    [position(CARRIER, hours(19), offsetKm(OPEN_SEA, 100, 0), 11)],
    track(CARRIER, {
      from: offsetKm(OPEN_SEA, 101, 0),
      start: hours(19.5),
      everyMinutes: 30,
      count: 4,
      sog: 11,
    }),
    track(PARTNER, { ...drifting, from: offsetKm(OPEN_SEA, 0.25, 0.1), count: 61 }),
    track(PARTNER, {
      from: offsetKm(OPEN_SEA, 0.25, 0.1),
      start: minutes(305),
      everyMinutes: 10,
      count: 80,
      sog: 11,
      courseDeg: 200,
    }),
    track(BYSTANDER, {
      from: offsetKm(OPEN_SEA, 60, -40),
      start: minutes(0),
      everyMinutes: 10,
      count: 140,
      sog: 12,
    }),
  );
}

/** Registered on the carrier, loaded and gone the day before, discharged the day after. */
function paperwork(): AidEvent[] {
  const base = { subject: C };
  return [
    consignmentRegistered({
      ...base,
      id: `${C}/registered`,
      time: iso(hours(-72)),
      data: { consignmentId: C, vessel: { mmsi: CARRIER, name: 'RYONG SONG 5' }, route: undefined },
    }),
    consignmentLoaded({
      ...base,
      id: `${C}/loaded`,
      time: iso(hours(-30)),
      data: { consignmentId: C, vesselMmsi: CARRIER, at: iso(hours(-30)) },
    }),
    consignmentDeparted({
      ...base,
      id: `${C}/departed`,
      time: iso(hours(-24)),
      data: { consignmentId: C, at: iso(hours(-24)) },
    }),
    consignmentDischarged({
      ...base,
      id: `${C}/discharged`,
      time: iso(hours(30)),
      data: { consignmentId: C, at: iso(hours(30)) },
    }),
  ];
}

class Feed {
  engine = new DetectionEngine(defaultDetectionConfig(), testPorts);
  readonly open = new Map<string, Flag>();
  readonly raised: Flag[] = [];
  readonly cleared: FlagClearedData[] = [];
  /** The checkpoint written so far: head and entries, from the changed keys only. */
  readonly stored: Record<string, unknown> = {};

  apply(c: FlagChanges): void {
    for (const f of c.cleared) this.open.delete(f.flagId);
    for (const f of c.raised) this.open.set(f.flagId, f);
    this.raised.push(...c.raised);
    this.cleared.push(...c.cleared);
  }

  feed(events: readonly AidEvent[]): this {
    for (const e of events) this.apply(this.engine.handle(e));
    return this;
  }

  finish(): this {
    this.apply(this.engine.advanceWatermark(HORIZON));
    return this;
  }

  /** Writes the changed entries, then continues in an engine restored from what was written. */
  restart(): this {
    for (const key of this.engine.takeChangedKeys()) {
      const entry = this.engine.entry(key);
      if (entry === undefined) delete this.stored[key];
      else this.stored[key] = JSON.parse(JSON.stringify(entry));
    }
    const saved: EngineSnapshot = JSON.parse(
      JSON.stringify({ head: this.engine.head(), entries: this.stored }),
    ) as EngineSnapshot;
    this.engine = DetectionEngine.restore(saved, defaultDetectionConfig(), testPorts);
    return this;
  }

  vesselFlags(): Flag[] {
    return [...this.open.values()]
      .filter((f) => f.subject.kind === 'vessel')
      .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
  }

  openIds(): string[] {
    return [...this.open.keys()].sort();
  }
}

describe('vessel flags linked to aid reported after them', () => {
  const timely = new Feed().feed([...paperwork(), ...atSea()]).finish();

  it('in time: every flag at sea of the carrier and the encounter of its partner name the aid', () => {
    const ofCarrier = timely.vesselFlags().filter((f) => f.subject.id === CARRIER);
    expect(ofCarrier.map((f) => f.rule).sort()).toEqual([
      'ais-gap',
      'draught-change',
      'encounter',
      'loitering',
    ]);
    expect(ofCarrier.every((f) => f.consignmentIds.join() === C)).toBe(true);
    const partner = timely.vesselFlags().filter((f) => f.subject.id === PARTNER);
    expect(partner.find((f) => f.rule === 'encounter')?.consignmentIds).toEqual([C]);
    expect(partner.find((f) => f.rule === 'loitering')?.consignmentIds).toEqual([]);
    expect(timely.vesselFlags().filter((f) => f.subject.id === BYSTANDER)).toEqual([]);
  });

  it('after the flags: each is superseded by the flag a timely report raised (same id, escalated)', () => {
    const late = new Feed().feed(atSea());
    const before = late.vesselFlags();
    expect(before.every((f) => f.consignmentIds.length === 0)).toBe(true);
    late.feed(paperwork()).finish();

    expect(late.vesselFlags()).toEqual(timely.vesselFlags());
    expect(late.openIds()).toEqual(timely.openIds());
    const linked = late.cleared.filter((c) => c.reason === 'superseded by new evidence: aid on board');
    expect(linked.map((c) => c.flagId).sort()).toEqual(
      before
        .filter((f) => f.subject.id === CARRIER || f.rule === 'encounter')
        .map((f) => f.flagId)
        .sort(),
    );
    const severity = (feed: Feed, rule: string) =>
      feed.vesselFlags().find((f) => f.subject.id === CARRIER && f.rule === rule)?.severity;
    expect(before.find((f) => f.subject.id === CARRIER && f.rule === 'loitering')?.severity).toBe('medium');
    expect(severity(late, 'loitering')).toBe('high');
  });

  it('in the middle of an episode: the episode goes on from the linked flag', () => {
    // The paperwork comes while the two still drift together: the ongoing encounter and loitering flags are
    // linked, and when the episodes end it is the linked flags that give way to the final ones.
    const events = atSea();
    const cut = events.findIndex((e) => Date.parse(e.time) > hours(4.5));
    const late = new Feed().feed(events.slice(0, cut));
    expect(late.vesselFlags().map((f) => f.rule)).toEqual(expect.arrayContaining(['encounter', 'loitering']));
    late.feed(paperwork()).feed(events.slice(cut)).finish();
    expect(late.vesselFlags()).toEqual(timely.vesselFlags());
    const clearedIds = late.cleared.map((c) => c.flagId);
    expect(new Set(clearedIds).size).toBe(clearedIds.length);
    expect(late.raised.map((f) => f.flagId)).toEqual(expect.arrayContaining(clearedIds));
  });

  it('a discharge reported late, dated before the flags, takes the aid off them', () => {
    const [registered, loaded, departed] = paperwork();
    const early = consignmentDischarged({
      subject: C,
      id: `${C}/discharged-early`,
      time: iso(hours(-2)),
      data: { consignmentId: C, at: iso(hours(-2)) },
    });
    const inOrder = new Feed().feed([registered, loaded, departed, early, ...atSea()]).finish();
    expect(inOrder.vesselFlags().every((f) => f.consignmentIds.length === 0)).toBe(true);
    const late = new Feed().feed([registered, loaded, departed, ...atSea()]);
    expect(late.vesselFlags().some((f) => f.consignmentIds.includes(C))).toBe(true);
    late.feed([early]).finish();
    expect(late.vesselFlags()).toEqual(inOrder.vesselFlags());
    expect(
      late.cleared.filter((c) => c.reason === 'superseded by new evidence: aid not on board'),
    ).not.toEqual([]);
  });

  it('survives a restart from an incremental checkpoint between the flags and the paperwork', () => {
    const uninterrupted = new Feed().feed(atSea());
    const restarted = new Feed().feed(atSea()).restart();
    expect(Object.keys(restarted.stored)).toEqual(
      expect.arrayContaining([`maritime/flags:${CARRIER}`, `maritime/flags:${PARTNER}`]),
    );
    const kept = restarted.stored[`maritime/flags:${CARRIER}`] as {
      flags: Array<{ draft: { rule: string } }>;
    };
    expect(kept.flags.map((f) => f.draft.rule).sort()).toEqual([
      'ais-gap',
      'draught-change',
      'encounter',
      'loitering',
    ]);
    const changesAfter = (feed: Feed) => {
      const from = [feed.raised.length, feed.cleared.length];
      feed.feed(paperwork()).finish();
      return { raised: feed.raised.slice(from[0]), cleared: feed.cleared.slice(from[1]) };
    };
    const expected = changesAfter(uninterrupted);
    expect(expected.raised.length).toBeGreaterThanOrEqual(5);
    expect(changesAfter(restarted)).toEqual(expected);
    // And once more after the links: what was written names the aid, and a restart changes nothing.
    restarted.restart();
    const linked = restarted.stored[`maritime/flags:${CARRIER}`] as {
      flags: Array<{ consignmentIds: string[] }>;
    };
    expect(linked.flags.every((f) => f.consignmentIds.join() === C)).toBe(true);
    expect(restarted.engine.handle(paperwork()[1])).toEqual({ raised: [], cleared: [] });
  });
});
