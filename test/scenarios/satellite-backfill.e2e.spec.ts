import { detectionConfigFrom } from '@aidwatch/detection';
import type { AidEvent, Flag } from '@aidwatch/domain';
import {
  byTime,
  hours,
  minutes,
  OPEN_SEA,
  offsetKm,
  position,
  track,
} from '../../libs/detection/src/maritime/testing/maritime-scenario';
import { EngineFeed } from '../support/engine-feed';

// Coastal receivers lose a ship under way for 6 hours at sea; a satellite AIS provider, whose positions
// reach the store hours after the coastal ones, saw it during that hole. AIS gaps are judged at 4 h here
// (DETECTION_AIS_GAP_MIN_GAP_HOURS=4) so that a 6-hour hole is one.

const COASTAL = '/ais/coastal-receivers/yellow-sea';
const SATELLITE = '/ais/satellite/provider-a';
const SHIP = '445300001';
const OTHER = '412300002';
const KM_PER_HOUR = 12 * 1.852;
const HOLE = { from: 4, to: 10 }; // hours

const from =
  (source: string) =>
  (e: AidEvent): AidEvent => ({ ...e, source });
const east = (h: number) => offsetKm(OPEN_SEA, KM_PER_HOUR * h, 0);

/** 16 h of the ship eastbound at 12 kn every 10 min, but for the hole, and another ship, as the coast sees them. */
function coastal(): AidEvent[] {
  const ship = track(SHIP, {
    from: OPEN_SEA,
    start: minutes(0),
    everyMinutes: 10,
    count: 97,
    sog: 12,
  }).filter((e) => {
    const at = Date.parse(e.data.at);
    return at <= hours(HOLE.from) || at >= hours(HOLE.to);
  });
  const other = track(OTHER, {
    from: offsetKm(OPEN_SEA, 0, 80),
    start: minutes(3),
    everyMinutes: 10,
    count: 97,
    sog: 10,
  });
  return byTime(ship, other).map(from(COASTAL));
}

/** The satellite's positions of the ship every 30 min from `start` to `end` hours (inside the hole). */
const satellite = (start: number, end: number): AidEvent[] =>
  Array.from({ length: Math.round((end - start) * 2) + 1 }, (_, i) => start + i / 2).map((h) =>
    from(SATELLITE)(position(SHIP, hours(h), east(h), 12, `sat-${SHIP}-${h}`)),
  );

const gapsOf = (feed: EngineFeed): Flag[] =>
  feed.openFlags().filter((f) => f.rule === 'ais-gap' && f.subject.id === SHIP);

describe('satellite AIS filling a hole of the coastal receivers, hours later', () => {
  const config = () => detectionConfigFrom({ AIS_GAP_MIN_GAP_HOURS: 4 });

  it('the coastal feed alone flags the 6-hour silence', () => {
    const feed = new EngineFeed(config()).feed(coastal());
    expect(gapsOf(feed).map((f) => [f.observed.silentSince, f.observed.silentHours])).toEqual([
      [new Date(hours(HOLE.from)).toISOString(), 6],
    ]);
  });

  it('positions every 30 min over the whole hole, arriving after it, leave no AIS gap open', () => {
    const feed = new EngineFeed(config()).feed(coastal());
    const [gap] = gapsOf(feed);
    feed.feed(satellite(HOLE.from + 0.5, HOLE.to - 0.5));

    expect(gapsOf(feed)).toEqual([]);
    const cleared = feed.cleared.filter((c) => c.fingerprint === gap.fingerprint);
    expect(cleared.at(-1)?.reason).toMatch(
      new RegExp(`^the silence was filled by a late position from ${SATELLITE} \\(event sat-${SHIP}-`),
    );
    // Each position older than the tolerance is still counted as late; the first five (04:30 to 06:00)
    // each shortened the silence, the sixth left less than 4 h of it.
    expect(feed.engine.maritime.stats()).toMatchObject({ lateDropped: 11, lateInGap: 5 });
    expect(feed.openFlags().filter((f) => f.subject.id === SHIP)).toEqual([]);
  });

  it('positions over part of the hole leave one gap: the silence that remains', () => {
    const feed = new EngineFeed(config()).feed(coastal());
    const [gap] = gapsOf(feed);
    feed.feed(satellite(HOLE.from + 0.5, HOLE.from + 1.5));

    const [rest, ...others] = gapsOf(feed);
    expect(others).toEqual([]);
    expect(rest.fingerprint).toBe(gap.fingerprint);
    expect(rest.observed).toMatchObject({
      silentSince: new Date(hours(HOLE.from + 1.5)).toISOString(),
      silentHours: 4.5,
    });
    expect(rest.raisedAt).toBe(new Date(hours(HOLE.to)).toISOString());
    expect(rest.evidence).toContain(`sat-${SHIP}-${HOLE.from + 1.5}`);
    expect(rest.explanation).toContain(`a position that arrived late from ${SATELLITE}`);
  });
});
