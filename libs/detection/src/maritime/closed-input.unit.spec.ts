import fc from 'fast-check';
import { EventTypes, type AidEvent, type InputBounded, type InputClosed } from '@aidwatch/domain';
import type { Flag } from '@aidwatch/domain';
import { maritimeConfig } from './maritime-config';
import { MaritimeDetector } from './maritime-detector';
import { byTime, hours, minutes, OPEN_SEA, offsetKm, position, testPorts } from './testing/maritime-scenario';

const HISTORY = 'test/history';
const LIVE = 'test/ais';
const DAY = 24;

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

function bounded(source: string, until: number): InputBounded {
  return {
    specversion: '1.0',
    id: `bounded-${source}-${until}`,
    source,
    type: EventTypes.InputBounded,
    time: iso(until),
    data: { source, until: iso(until) },
  };
}

/**
 * Fixes of one vessel every `everyMinutes` from `start` to `end` (hours), from `source`, silent over
 * `silence` ([from, to) hours) when given.
 */
function fixes(
  mmsi: string,
  source: string,
  start: number,
  end: number,
  everyMinutes: number,
  eastKm: number,
  silence?: [number, number],
): AidEvent[] {
  const out: AidEvent[] = [];
  for (let m = start * 60; m <= end * 60; m += everyMinutes) {
    const h = m / 60;
    if (silence && h >= silence[0] && h < silence[1]) continue;
    out.push({ ...position(mmsi, minutes(m), offsetKm(OPEN_SEA, eastKm + h * 0.5, 40), 8), source });
  }
  return out;
}

/** Feeds events in the given (store) order; returns every flag raised and the ids cleared. */
function run(events: readonly AidEvent[], d = new MaritimeDetector(maritimeConfig(), testPorts)) {
  const raised: Flag[] = [];
  const cleared: string[] = [];
  for (const event of events) {
    const changes = d.handle(event);
    raised.push(...changes.raised);
    cleared.push(...changes.cleared.map((c) => c.flagId));
  }
  return { d, raised, cleared };
}

/** The vessel's AIS-gap episodes: the last flag of each fingerprint (a "dark now" flag is superseded by the figures of the fix ending it). */
const gapsOf = (flags: readonly Flag[], mmsi: string): Flag[] => [
  ...new Map(
    flags.filter((f) => f.rule === 'ais-gap' && f.subject.id === mmsi).map((f) => [f.fingerprint, f]),
  ).values(),
];

/** The history's fixes and the live feed's, merged as they arrive: one live event after every `every` of the history's. */
function interleaved(history: readonly AidEvent[], live: readonly AidEvent[], every: number): AidEvent[] {
  const out: AidEvent[] = [];
  let l = 0;
  history.forEach((event, i) => {
    out.push(event);
    if (i % every === every - 1 && l < live.length) out.push(live[l++]);
  });
  return [...out, ...live.slice(l)];
}

// A month of history, a month ago; a live feed now.
const HIST_START = -35 * DAY;
const HIST_END = -5 * DAY;
const HV = '273100001'; // history vessel, with a planted 20 h silence on day 10
const HQ = '273100002'; // history vessel, quiet reporter, no silence
const LV = '538100003'; // live vessel, steady
const LD = '538100004'; // live vessel that goes dark at +2 h

function story(close: boolean): AidEvent[] {
  const history = byTime(
    fixes(HV, HISTORY, HIST_START, HIST_END, 60, 0, [HIST_START + 10 * DAY, HIST_START + 10 * DAY + 20]),
    fixes(HQ, HISTORY, HIST_START, HIST_END, 60, 30),
  );
  const liveBefore = byTime(fixes(LV, LIVE, 0, 1, 10, 60), fixes(LD, LIVE, 0, 1, 10, 90));
  const liveAfter = byTime(fixes(LV, LIVE, 1.5, 30, 10, 60), fixes(LD, LIVE, 1.5, 2, 10, 90));
  return [...liveBefore, ...history, ...(close ? [closed(HISTORY, hours(HIST_END))] : []), ...liveAfter];
}

describe('a closed input (aidwatch.input.closed.v1)', () => {
  it('keeps its vessels on its own clock while the live feed runs ahead: only the planted gaps are flagged', () => {
    const { d, raised } = run(story(true));
    expect(gapsOf(raised, HV)).toHaveLength(1);
    expect(gapsOf(raised, HV)[0].observed).toMatchObject({ silentHours: 21 });
    expect(gapsOf(raised, HQ)).toHaveLength(0);
    expect(gapsOf(raised, LD)).toHaveLength(1);
    expect(gapsOf(raised, LV)).toHaveLength(0);
    const history = d.clocks.input(HISTORY);
    expect(history.closed).toBe(true);
    expect(history.watermark).toBe(hours(HIST_END));
    expect(d.clocks.isIdle(history)).toBe(false);
  });

  it('without the close, the idle-input rule releases the history to the live clock (the false gaps it prevents)', () => {
    const { raised } = run(story(false));
    expect(gapsOf(raised, HV)).toHaveLength(2);
    expect(gapsOf(raised, HQ)).toHaveLength(1);
    expect(gapsOf(raised, LD)).toHaveLength(1);
  });

  it('reopens when the closed input speaks again: the idle-input rule applies to it once more (silent while the live feed moves six hours on)', () => {
    const events = story(true);
    const { d, raised } = run(events);
    const more = run(
      [...fixes(HQ, HISTORY, HIST_END + 1, HIST_END + 2, 60, 30), ...fixes(LV, LIVE, 30.5, 37, 10, 60)],
      d,
    );
    expect(d.clocks.input(HISTORY).closed).toBe(false);
    expect(gapsOf([...raised, ...more.raised], HQ)).toHaveLength(1);
  });

  it('closes an input for a vessel that an open input also reports: the open input decides its clock', () => {
    const both = '273100009';
    const events: AidEvent[] = [
      ...fixes(both, HISTORY, -3, -2, 30, 0),
      closed(HISTORY, hours(-2)),
      ...fixes(both, LIVE, 0, 1, 30, 0),
      ...fixes(LV, LIVE, 1, 20, 30, 60),
    ];
    const { raised } = run(events);
    // Silent on the live feed from +1 h: dark once the live clock passes +13 h.
    expect(gapsOf(raised, both)).toHaveLength(1);
  });

  it('survives a checkpoint: closed is kept in the saved clocks', () => {
    const events = story(true);
    const cut = events.findIndex((e) => e.type === EventTypes.InputClosed) + 1;
    const first = run(events.slice(0, cut));
    const restored = MaritimeDetector.restore(
      JSON.parse(JSON.stringify(first.d.snapshot())),
      maritimeConfig(),
      testPorts,
    );
    expect(restored.clocks.input(HISTORY).closed).toBe(true);
    const rest = run(events.slice(cut), restored);
    const whole = run(events);
    expect([...first.raised, ...rest.raised].map((f) => f.flagId)).toEqual(whole.raised.map((f) => f.flagId));
  });

  it('property: history beside live, live events before, during and after the import, any checkpoint: gives the planted flags and rebuild gives the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 25 }), // the planted silence's start, day of the history
        fc.integer({ min: 13, max: 40 }), // its length (h): always more than the 12 h threshold
        fc.integer({ min: 0, max: 100 }), // how much of the live feed comes before the history (%)
        fc.integer({ min: 1, max: 99 }), // where a checkpoint is taken (% of the log)
        fc.integer({ min: 0, max: 100 }), // how much of the rest of the live feed arrives during the import (%)
        fc.integer({ min: 1, max: 60 }), // one live event after every so many of the history's
        (day, silenceH, livePct, cutPct, duringPct, every) => {
          const silence: [number, number] = [HIST_START + day * DAY, HIST_START + day * DAY + silenceH];
          const history = byTime(
            fixes(HV, HISTORY, HIST_START, HIST_END, 60, 0, silence),
            fixes(HQ, HISTORY, HIST_START, HIST_END, 90, 30),
          );
          const live = byTime(fixes(LV, LIVE, 0, 30, 10, 60), fixes(LD, LIVE, 0, 2, 10, 90));
          const split = Math.floor((live.length * livePct) / 100);
          // Live events arrive during the import only once the live feed runs (its first event came before).
          // (All of them before the history's last event: a history silent while the live feed moves six
          // hours on before its close comes is released, as it should be.)
          const during =
            split === 0
              ? 0
              : Math.min(
                  Math.floor(((live.length - split) * duringPct) / 100),
                  Math.floor((history.length - 1) / every),
                );
          const events = [
            ...live.slice(0, split),
            ...interleaved(history, live.slice(split, split + during), every),
            closed(HISTORY, hours(HIST_END)),
            ...live.slice(split + during),
          ];
          const whole = run(events);
          expect(gapsOf(whole.raised, HV)).toHaveLength(1);
          expect(gapsOf(whole.raised, HQ)).toHaveLength(0);
          // The dark live vessel is flagged once the live clock has passed its silence by 12 h.
          expect(gapsOf(whole.raised, LD)).toHaveLength(1);
          const cut = Math.floor((events.length * cutPct) / 100);
          const first = run(events.slice(0, cut));
          const restored = MaritimeDetector.restore(
            JSON.parse(JSON.stringify(first.d.snapshot())),
            maritimeConfig(),
            testPorts,
          );
          const rest = run(events.slice(cut), restored);
          expect([...first.raised, ...rest.raised].map((f) => f.flagId)).toEqual(
            whole.raised.map((f) => f.flagId),
          );
          expect(run(events).raised.map((f) => f.flagId)).toEqual(whole.raised.map((f) => f.flagId));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('a history imported while the live feed keeps running', () => {
  it('is not released as idle while it still delivers: only the planted gaps are flagged', () => {
    const history = byTime(
      fixes(HV, HISTORY, HIST_START, HIST_END, 60, 0, [HIST_START + 10 * DAY, HIST_START + 10 * DAY + 20]),
      fixes(HQ, HISTORY, HIST_START, HIST_END, 60, 30),
    );
    const live = byTime(fixes(LV, LIVE, 0, 30, 10, 60), fixes(LD, LIVE, 0, 2, 10, 90));
    // The live feed was running before the import began.
    const events = [...live.slice(0, 5), ...interleaved(history, live.slice(5, 150), 10)];
    const closeAt = events.findIndex((e) => e === history[history.length - 1]) + 1;
    events.splice(closeAt, 0, closed(HISTORY, hours(HIST_END)));
    events.push(...live.slice(150));
    const { raised } = run(events);
    expect(gapsOf(raised, HV)).toHaveLength(1);
    expect(gapsOf(raised, HV)[0].observed).toMatchObject({ silentHours: 21 });
    expect(gapsOf(raised, HQ)).toHaveLength(0);
    expect(gapsOf(raised, LD)).toHaveLength(1);
    expect(gapsOf(raised, LV)).toHaveLength(0);
  });
});

describe('a closed source whose reports came by several Kafka partitions', () => {
  const LANES: Record<string, string> = {
    [HV]: 'ais.positions.v1/0',
    [LV]: 'ais.positions.v1/0',
    [LD]: 'ais.positions.v1/0',
    [HQ]: 'ais.positions.v1/1',
  };
  /** The close is keyed by its source: it comes by a partition that carries none of these vessels. */
  const CLOSE_LANE = 'ais.positions.v1/2';
  const laneOf = (e: AidEvent) =>
    e.type === EventTypes.InputClosed ? CLOSE_LANE : LANES[(e.data as { mmsi: string }).mmsi];

  function runLanes(events: readonly AidEvent[], d = new MaritimeDetector(maritimeConfig(), testPorts)) {
    const raised: Flag[] = [];
    for (const event of events) raised.push(...d.handle(event, laneOf(event)).raised);
    return { d, raised };
  }

  /**
   * The history imported while the live feed runs, partition 1 consumed behind: the last `straggleDays` of
   * HQ's history come after the close.
   */
  function story(straggleDays: number, every = 12): AidEvent[] {
    const hv = fixes(HV, HISTORY, HIST_START, HIST_END, 60, 0, [
      HIST_START + 10 * DAY,
      HIST_START + 10 * DAY + 20,
    ]);
    const hq = fixes(HQ, HISTORY, HIST_START, HIST_END, 60, 30);
    const cut = hq.length - straggleDays * 24;
    const live = byTime(fixes(LV, LIVE, 0, 30, 10, 60), fixes(LD, LIVE, 0, 2, 10, 90));
    const before = byTime(hv, hq.slice(0, cut));
    // Live events during the import, all before its last event (then the close follows at once).
    const during = 5 + Math.min(95, Math.floor((before.length - 1) / every));
    return [
      ...live.slice(0, 5),
      ...interleaved(before, live.slice(5, during), every),
      closed(HISTORY, hours(HIST_END)),
      ...interleaved(hq.slice(cut), live.slice(during, during + 30), 6),
      ...live.slice(during + 30),
    ];
  }

  it('closes the source on every partition; a partition still delivering history keeps it closed: only the planted gaps', () => {
    const { d, raised } = runLanes(story(3));
    const history = d.clocks.all().filter((i) => i.source === HISTORY);
    expect(history.map((i) => i.id).sort()).toEqual([`${HISTORY} ${LANES[HV]}`, `${HISTORY} ${LANES[HQ]}`]);
    expect(history.every((i) => i.closed)).toBe(true);
    expect(gapsOf(raised, HV)).toHaveLength(1);
    expect(gapsOf(raised, HV)[0].observed).toMatchObject({ silentHours: 21 });
    expect(gapsOf(raised, HQ)).toHaveLength(0);
    expect(gapsOf(raised, LD)).toHaveLength(1);
    expect(gapsOf(raised, LV)).toHaveLength(0);
  });

  it('a partition that first delivers the source after its close starts closed', () => {
    const events = story(0);
    const at = events.findIndex((e) => e.type === EventTypes.InputClosed);
    const late = fixes('273100077', HISTORY, HIST_END - 48, HIST_END - 24, 60, 50);
    const d = runLanes(events.slice(0, at + 1)).d;
    const input = d.clocks.input(`${HISTORY} ais.positions.v1/3`);
    expect(input.closed).toBe(true);
    for (const e of late) d.handle(e, 'ais.positions.v1/3');
    expect(input.closed).toBe(true);
    expect(input.watermark).toBe(hours(HIST_END - 24));
  });

  it('an event of the source dated after the close reopens every partition of it', () => {
    const { d } = runLanes(story(0));
    d.handle(fixes(HQ, HISTORY, HIST_END + 1, HIST_END + 1, 60, 30)[0], LANES[HQ]);
    expect(d.clocks.all().filter((i) => i.source === HISTORY && i.closed)).toEqual([]);
  });

  it('survives a checkpoint: the closed source is kept, and a partition behind stays closed after the restore', () => {
    const events = story(3);
    const cut = events.findIndex((e) => e.type === EventTypes.InputClosed) + 1;
    const first = runLanes(events.slice(0, cut));
    const restored = MaritimeDetector.restore(
      JSON.parse(JSON.stringify(first.d.snapshot())),
      maritimeConfig(),
      testPorts,
    );
    const rest = runLanes(events.slice(cut), restored);
    const whole = runLanes(events);
    expect([...first.raised, ...rest.raised].map((f) => f.flagId)).toEqual(whole.raised.map((f) => f.flagId));
    expect(
      restored.clocks
        .all()
        .filter((i) => i.source === HISTORY)
        .every((i) => i.closed),
    ).toBe(true);
  });

  it('property: any partition lag and interleaving, any checkpoint: the planted gaps only, and a rebuild judges alike', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }), // days of partition 1's history still to come after the close
        fc.integer({ min: 8, max: 40 }), // one live event after every so many of the history's
        fc.integer({ min: 1, max: 99 }), // where a checkpoint is taken (% of the log)
        (straggleDays, every, cutPct) => {
          const events = story(straggleDays, every);
          const whole = runLanes(events);
          expect(gapsOf(whole.raised, HV)).toHaveLength(1);
          expect(gapsOf(whole.raised, HQ)).toHaveLength(0);
          expect(gapsOf(whole.raised, LD)).toHaveLength(1);
          expect(gapsOf(whole.raised, LV)).toHaveLength(0);
          const cut = Math.floor((events.length * cutPct) / 100);
          const first = runLanes(events.slice(0, cut));
          const restored = MaritimeDetector.restore(
            JSON.parse(JSON.stringify(first.d.snapshot())),
            maritimeConfig(),
            testPorts,
          );
          const rest = runLanes(events.slice(cut), restored);
          expect([...first.raised, ...rest.raised].map((f) => f.flagId)).toEqual(
            whole.raised.map((f) => f.flagId),
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('a bounded input (aidwatch.input.bounded.v1): a history import announced before its first event', () => {
  const LIVE2 = 'test/ais-second-receiver';
  const LN = '538100005'; // a vessel of a receiver that first speaks while the import runs
  const importBesideNewFeed = (announce: boolean): AidEvent[] => {
    const history = byTime(
      fixes(HV, HISTORY, HIST_START, HIST_END, 60, 0, [HIST_START + 10 * DAY, HIST_START + 10 * DAY + 20]),
      fixes(HQ, HISTORY, HIST_START, HIST_END, 60, 30),
    );
    // A brand-new receiver starts reporting halfway through the import, a month ahead of it.
    const half = Math.floor(history.length / 2);
    const fresh = fixes(LN, LIVE2, 0, 30, 10, 120);
    return [
      ...(announce ? [bounded(HISTORY, hours(HIST_END))] : []),
      ...history.slice(0, half),
      ...interleaved(history.slice(half), fresh.slice(0, 100), 5),
      closed(HISTORY, hours(HIST_END)),
      ...fresh.slice(100),
    ];
  };

  it('without the announcement, a brand-new live feed releases the running import: false gaps on its vessels', () => {
    const { raised } = run(importBesideNewFeed(false));
    expect(gapsOf(raised, HQ).length).toBeGreaterThan(0);
  });

  it('announced, the import keeps its own clock from its first event to its close: only the planted gap', () => {
    const { d, raised } = run(importBesideNewFeed(true));
    expect(gapsOf(raised, HV)).toHaveLength(1);
    expect(gapsOf(raised, HV)[0].observed).toMatchObject({ silentHours: 21 });
    expect(gapsOf(raised, HQ)).toHaveLength(0);
    expect(gapsOf(raised, LN)).toHaveLength(0);
    const history = d.clocks.input(HISTORY);
    expect(history.closed).toBe(true);
    expect(history.watermark).toBe(hours(HIST_END));
  });

  it('moves no watermark when announced, and an event dated after the bound reopens the source', () => {
    const { d } = run([
      bounded(HISTORY, hours(HIST_END)),
      ...fixes(HQ, HISTORY, HIST_START, HIST_START + 2, 60, 30),
    ]);
    const history = d.clocks.input(HISTORY);
    expect(history.closed).toBe(true);
    expect(history.watermark).toBe(hours(HIST_START + 2));
    run(fixes(HQ, HISTORY, HIST_END + 1, HIST_END + 1, 60, 30), d);
    expect(d.clocks.input(HISTORY).closed).toBe(false);
  });
});

describe('a run of reports replayed behind its input (docs/time-model.md 7)', () => {
  // One live input: a vessel reporting up to now; then two vessels' tracks a day late, interleaved at
  // random — one goes dark after 8 h, the other reports until 8 h ago.
  const ahead = fixes(LV, LIVE, -30, 0, 10, 60);
  const dark = fixes(LD, LIVE, -30, -22, 10, 90);
  const steady = fixes(HQ, LIVE, -30, -8, 10, 30);
  const mixed = (seed: number) => {
    const out: AidEvent[] = [];
    let [i, j, s] = [0, 0, seed >>> 0];
    while (i < dark.length || j < steady.length) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      if (j >= steady.length || (i < dark.length && s % 3 === 0)) out.push(dark[i++]);
      else out.push(steady[j++]);
    }
    return out;
  };

  it('lasts however other vessels interleave: nothing is judged missing until the input is quiet, then the dark vessel is', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const d = new MaritimeDetector(maritimeConfig(), testPorts);
        const before = run([...ahead, ...mixed(seed)], d);
        expect(before.raised.filter((f) => f.rule === 'ais-gap')).toEqual([]);
        expect(before.cleared).toEqual([]);
        // Another source's quiet ends nothing here.
        expect(d.inputQuiet(HISTORY).raised).toEqual([]);
        const after = d.inputQuiet(LIVE);
        expect(after.raised.map((f) => [f.rule, f.subject.id, f.evidence])).toEqual([
          ['ais-gap', LD, [dark.at(-1)!.id]],
        ]);
        expect(after.cleared).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });

  it('ends at the latest when its input has moved the late horizon (72 h) on since its newest report came', () => {
    const d = new MaritimeDetector(maritimeConfig(), testPorts);
    const { raised } = run([...ahead, ...mixed(1)], d);
    expect(raised.filter((f) => f.rule === 'ais-gap')).toEqual([]);
    const later = run(fixes(LV, LIVE, 0.5, 71, 60, 75), d);
    expect(later.raised.filter((f) => f.rule === 'ais-gap')).toEqual([]);
    // Both late vessels are then judged on the clock: each has been silent for more than 12 h by now.
    const beyond = run(fixes(LV, LIVE, 72, 73, 60, 110), d);
    expect(
      beyond.raised
        .filter((f) => f.rule === 'ais-gap')
        .map((f) => f.subject.id)
        .sort(),
    ).toEqual([HQ, LD].sort());
  });

  it('on Kafka, ends with a caught-up marker only once the partition has been quiet 30 s: a batch produced in parts stays one run', () => {
    const lane = 'ais.positions.v1/0';
    const d = new MaritimeDetector(maritimeConfig(), testPorts);
    const feed = (events: readonly AidEvent[]) => {
      const raised: Flag[] = [];
      for (const e of events) raised.push(...d.handle(e, lane, 0).raised);
      return raised;
    };
    expect(feed([...ahead, ...mixed(3)]).filter((f) => f.rule === 'ais-gap')).toEqual([]);
    // A pause of a few seconds between two parts of the batch: the run goes on.
    expect(d.caughtUp(lane, 2_000).raised).toEqual([]);
    expect(d.caughtUp(lane, 16_000).raised).toEqual([]);
    expect(d.caughtUp(lane, 30_000).raised.map((f) => [f.rule, f.subject.id])).toEqual([['ais-gap', LD]]);
  });
});
