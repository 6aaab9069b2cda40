import { InputClocks, inputIdOf, laneOfInputId } from './input-clocks';

const HOUR = 3_600_000;
const RECEIVER = '/ais/coastal-receivers/yellow-sea';
const OTHER = '/ais/coastal-receivers/east-sea';

describe('input clocks: idleness is judged on the input’s own lane', () => {
  it('a partition behind another of its receiver holds its vessels back, however far behind', () => {
    const clocks = new InputClocks(6 * HOUR);
    const ahead = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/0'));
    const behind = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/1'));
    clocks.observe(behind, 0, 0);
    // A burst on partition 0 (both receivers), 20 h ahead of partition 1.
    for (let h = 1; h <= 20; h++) {
      clocks.observe(ahead, h * HOUR, 0);
      clocks.observe(clocks.input(inputIdOf(OTHER, 'ais.positions.v1/0')), h * HOUR, 0);
    }
    expect(clocks.isIdle(behind)).toBe(false);
    expect(clocks.clockOf([behind])).toBe(0);
    expect(clocks.newlyIdle()).toEqual([]);
  });

  it('another source’s later events on the same lane release it, the idle bound behind', () => {
    const clocks = new InputClocks(6 * HOUR);
    const quiet = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/1'));
    const busy = clocks.input(inputIdOf(OTHER, 'ais.positions.v1/1'));
    clocks.observe(quiet, 0, 0);
    clocks.observe(busy, 5 * HOUR, 0);
    expect(clocks.isIdle(quiet)).toBe(false);
    clocks.observe(busy, 9 * HOUR, 0);
    expect(clocks.isIdle(quiet)).toBe(true);
    expect(clocks.effective(quiet)).toBe(3 * HOUR);
    expect(clocks.newlyIdle()).toEqual([quiet]);
    // Its own next event makes it an ordinary input again.
    clocks.observe(quiet, 1 * HOUR, 0);
    expect(clocks.isIdle(quiet)).toBe(false);
    expect(clocks.clockOf([quiet, busy])).toBe(1 * HOUR);
  });

  it('an input without a lane (HTTP, an older checkpoint) is judged by every input', () => {
    const clocks = new InputClocks(6 * HOUR);
    const http = clocks.input(RECEIVER);
    const other = clocks.input(OTHER);
    const kafka = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/0'));
    clocks.observe(http, 0, 0);
    clocks.observe(kafka, 0, 0);
    clocks.observe(other, 5 * HOUR, 0);
    expect(clocks.isIdle(http)).toBe(false);
    // The receiver's reports now come by Kafka: its input without a lane is released by them.
    clocks.observe(kafka, 30 * HOUR, 0);
    expect(clocks.isIdle(http)).toBe(true);
    expect(clocks.effective(http)).toBe(24 * HOUR);
    // Inputs without a lane do not release a lane.
    clocks.observe(other, 40 * HOUR, 0);
    expect(clocks.isIdle(kafka)).toBe(false);
    expect(clocks.effective(kafka)).toBe(30 * HOUR);
  });

  it('an input id names its lane', () => {
    expect(laneOfInputId(inputIdOf(RECEIVER, 'ais.positions.v1/3'))).toBe('ais.positions.v1/3');
    expect(laneOfInputId(RECEIVER)).toBe('');
  });

  it('finds an input by source and lane as by its id, restored inputs included; no lane is not the lane ""', () => {
    const clocks = new InputClocks(6 * HOUR);
    const onLane = clocks.inputOf(RECEIVER, 'ais.positions.v1/3');
    expect(onLane).toBe(clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/3')));
    expect(clocks.inputOf(RECEIVER, 'ais.positions.v1/3')).toBe(onLane);
    const unlaned = clocks.inputOf(RECEIVER);
    expect(unlaned).toBe(clocks.input(RECEIVER));
    expect(clocks.inputOf(RECEIVER, '')).not.toBe(unlaned);
    expect(clocks.inputOf(OTHER, 'ais.positions.v1/3')).not.toBe(onLane);
    clocks.advance(onLane, 5 * HOUR);
    const restored = InputClocks.fromJSON(JSON.parse(JSON.stringify(clocks.toJSON())), 6 * HOUR);
    expect(restored.inputOf(RECEIVER, 'ais.positions.v1/3').watermark).toBe(5 * HOUR);
    expect(restored.inputOf(RECEIVER, 'ais.positions.v1/3')).toBe(restored.input(onLane.id));
  });
});

describe('input clocks: an input falls idle only after it was silent while the others moved on by the idle bound', () => {
  const HISTORY = '/ais/archive/yellow-sea';
  const LIVE = '/ais/live/yellow-sea';
  const NOW = 1_000 * HOUR;

  it('a history far behind the live feed is not idle while both deliver, however far apart their times', () => {
    const clocks = new InputClocks(6 * HOUR);
    const history = clocks.input(HISTORY);
    const live = clocks.input(LIVE);
    clocks.observe(live, NOW, 0);
    for (let h = 0; h < 24 * 30; h++) {
      clocks.observe(history, NOW - 40 * 24 * HOUR + h * HOUR, 0);
      // The live feed keeps running meanwhile: ten minutes per hour of history imported.
      clocks.observe(live, NOW + (h * HOUR) / 6, 0);
      expect(clocks.isIdle(history)).toBe(false);
    }
    expect(clocks.newlyIdle()).toEqual([]);
    clocks.observe(history, NOW - 10 * 24 * HOUR, 0);
    // Silent now: released once the live feed moved six hours beyond where it stood at its last event.
    const stood = live.watermark;
    clocks.observe(live, stood + 6 * HOUR, 0);
    expect(clocks.isIdle(history)).toBe(false);
    clocks.observe(live, stood + 6 * HOUR + 1, 0);
    expect(clocks.isIdle(history)).toBe(true);
    expect(clocks.effective(history)).toBe(stood + 1);
  });

  it('an input far ahead (a report dated weeks later) keeps no other from falling idle: each is measured by its own progress', () => {
    const clocks = new InputClocks(6 * HOUR);
    const early = clocks.input('/monitoring');
    const quiet = clocks.input('/logistics');
    const busy = clocks.input('/field');
    clocks.observe(early, NOW, 0);
    clocks.observe(quiet, 0, 0);
    clocks.observe(busy, 0, 0);
    clocks.observe(busy, 6 * HOUR, 0);
    expect(clocks.isIdle(quiet)).toBe(false);
    clocks.observe(busy, 7 * HOUR, 0);
    expect(clocks.isIdle(quiet)).toBe(true);
    expect(clocks.isIdle(early)).toBe(false);
    expect(clocks.clockOf([quiet, busy])).toBe(7 * HOUR);
  });

  it('keeps where the others stood in checkpoints; an older checkpoint without them counts from the restore', () => {
    const clocks = new InputClocks(6 * HOUR);
    const history = clocks.input(HISTORY);
    const live = clocks.input(LIVE);
    clocks.observe(live, NOW, 0);
    clocks.observe(history, 0, 0);
    const saved = JSON.parse(JSON.stringify(clocks.toJSON())) as ReturnType<InputClocks['toJSON']>;
    const restored = InputClocks.fromJSON(saved, 6 * HOUR);
    const older = InputClocks.fromJSON(
      saved.map(({ ahead: _ahead, idle: _idle, ...rest }) => rest),
      6 * HOUR,
    );
    for (const c of [clocks, restored, older]) {
      c.observe(c.input(LIVE), NOW + 6 * HOUR, 0);
      expect(c.isIdle(c.input(HISTORY))).toBe(false);
      c.observe(c.input(LIVE), NOW + 7 * HOUR, 0);
      expect(c.isIdle(c.input(HISTORY))).toBe(true);
    }
    expect(restored.toJSON()).toEqual(clocks.toJSON());
  });
});

describe('input clocks: a close applies to every input of its source', () => {
  const HISTORY = '/ais/archive/yellow-sea';
  const P0 = 'ais.positions.v1/0';
  const P1 = 'ais.positions.v1/1';

  it('the input on the close’s lane moves to its time, the others keep theirs; only an event dated after it reopens them all', () => {
    const clocks = new InputClocks(6 * HOUR);
    const p0 = clocks.input(inputIdOf(HISTORY, P0));
    const p1 = clocks.input(inputIdOf(HISTORY, P1));
    clocks.observe(p0, 10 * HOUR, 0);
    clocks.observe(p1, 5 * HOUR, 0);
    expect(clocks.close(HISTORY, 12 * HOUR, P0)).toEqual([p0, p1]);
    expect([p0.closed, p0.watermark, p1.closed, p1.watermark]).toEqual([true, 12 * HOUR, true, 5 * HOUR]);
    // Partition 1 consumed behind: its events up to the close's time keep it closed.
    clocks.observe(p1, 12 * HOUR, 0);
    const p2 = clocks.input(inputIdOf(HISTORY, 'ais.positions.v1/2'));
    expect(p2.closed).toBe(true);
    clocks.observe(p2, 11 * HOUR, 0);
    expect([p0.closed, p1.closed, p2.closed]).toEqual([true, true, true]);
    expect(clocks.closedSourcesJSON()).toEqual({ [HISTORY]: 12 * HOUR });
    clocks.observe(p1, 12 * HOUR + 1, 0);
    expect([p0.closed, p1.closed, p2.closed]).toEqual([false, false, false]);
    expect(clocks.closedSourcesJSON()).toEqual({});
  });

  it('an older checkpoint (closed inputs, no closed sources) counts each closed input’s source closed at its watermark', () => {
    const clocks = new InputClocks(6 * HOUR);
    clocks.observe(clocks.input(HISTORY), 10 * HOUR, 0);
    clocks.close(HISTORY, 12 * HOUR);
    const restored = InputClocks.fromJSON(clocks.toJSON(), 6 * HOUR);
    expect(restored.closedSourcesJSON()).toEqual({ [HISTORY]: 12 * HOUR });
    restored.observe(restored.input(HISTORY), 11 * HOUR, 0);
    expect(restored.input(HISTORY).closed).toBe(true);
  });
});

describe('input clocks: an input whose partition still has records pending is never idle', () => {
  const DAY = 24 * HOUR;
  /** A caught-up marker's quiet that says the partition stopped (an hour: over the 10-minute end quiet). */
  const STOPPED = 3_600_000;
  const LOGISTICS = '/org/wfp/logistics/dprk';
  const MONITORS = '/org/wfp/monitoring/dprk';
  const FIELD = '/org/wfp/field/dprk';

  it('a monitors’ partition caught up behind the others holds its consignments until its last pending record', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const monitors = clocks.input(inputIdOf(MONITORS, 'aid.verifications.v1/0'));
    const logistics = clocks.input(inputIdOf(LOGISTICS, 'aid.consignments.v1/0'));
    // The monitors' backlog: 40 records pending when its first one was fetched.
    clocks.observe(monitors, 0, 0, 40);
    clocks.observe(logistics, 0, 0, 0);
    for (let d = 1; d <= 20; d++) clocks.observe(logistics, d * DAY, 0, 0);
    expect(clocks.isIdle(monitors)).toBe(false);
    expect(clocks.clockOf([monitors, logistics])).toBe(0);
    expect(clocks.newlyIdle()).toEqual([]);
    // The backlog drains; its last record had nothing after it, and its partition's marker says it stopped.
    clocks.observe(monitors, 2 * DAY, 0, 0);
    clocks.observe(logistics, 22 * DAY, 0, 0);
    expect(clocks.isIdle(monitors)).toBe(false);
    clocks.caughtUp('aid.verifications.v1/0', STOPPED);
    clocks.observe(logistics, 24 * DAY, 0, 0);
    expect(clocks.isIdle(monitors)).toBe(true);
    expect(clocks.clockOf([monitors, logistics])).toBe(24 * DAY);
  });

  it('a stopped feed is released once its partition’s marker says it stopped, not by another partition’s lead alone', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const monitors = clocks.input(inputIdOf(MONITORS, 'aid.verifications.v1/0'));
    const logistics = clocks.input(inputIdOf(LOGISTICS, 'aid.consignments.v1/0'));
    clocks.observe(monitors, 0, 0, 0);
    clocks.observe(logistics, 4 * DAY, 0, 0);
    // Caught up a moment ago: its next records may reach the broker seconds after the logistics burst.
    expect(clocks.isIdle(monitors)).toBe(false);
    expect(clocks.caughtUp('aid.verifications.v1/0', 2000)).toBe(false);
    expect(clocks.isIdle(monitors)).toBe(false);
    // Quiet for the end-quiet period (10 min by default): it stopped, and the others' lead releases it.
    expect(clocks.caughtUp('aid.verifications.v1/0', STOPPED)).toBe(true);
    expect(clocks.isIdle(monitors)).toBe(true);
    expect(clocks.newlyIdle()).toEqual([monitors]);
    // It speaks again: held by the others' lead no more until its marker says so again.
    clocks.observe(monitors, 5 * DAY, 0, 0);
    clocks.observe(logistics, 9 * DAY, 0, 0);
    expect(clocks.isIdle(monitors)).toBe(false);
  });

  it('on one partition, a later event of another source still releases a silent one (the partition’s order)', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const wfp = clocks.input(inputIdOf(LOGISTICS, 'aid.consignments.v1/0'));
    const unicef = clocks.input(inputIdOf('/org/unicef/logistics/dprk', 'aid.consignments.v1/0'));
    clocks.observe(wfp, 0, 0, 0);
    clocks.observe(unicef, 4 * DAY, 0, 0);
    expect(clocks.isIdle(wfp)).toBe(true);
  });

  it('so released, it follows its own partition only until the partition stopped, and holds consignments whose inputs are all idle', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const wfp = clocks.input(inputIdOf(MONITORS, 'aid.verifications.v1/0'));
    const unicef = clocks.input(inputIdOf('/org/unicef/monitoring/dprk', 'aid.verifications.v1/0'));
    const stopped = clocks.input(inputIdOf(MONITORS, 'aid.verifications.v1/1'));
    const committee = clocks.input(inputIdOf('/un/sc/1718-committee', 'aid.reference.v1/0'));
    clocks.observe(stopped, 0, 0, 0);
    clocks.observe(wfp, 0, 0, 0);
    clocks.observe(unicef, 4 * DAY, 0, 0);
    expect(clocks.isIdle(wfp)).toBe(true);
    expect(clocks.effective(wfp)).toBe(DAY);
    clocks.caughtUp('aid.verifications.v1/1', STOPPED);
    // A burst's first record on another partition, weeks ahead: it releases the stopped partition's feed, not
    // the one whose partition may still deliver.
    clocks.observe(committee, 40 * DAY, 0, 0);
    expect(clocks.effective(stopped)).toBe(37 * DAY);
    expect(clocks.effective(wfp)).toBe(DAY);
    expect(clocks.clockOf([wfp, stopped])).toBe(DAY);
    // Its own partition moves on; then its marker says it stopped, and every input's time counts.
    clocks.observe(unicef, 6 * DAY, 0, 0);
    expect(clocks.clockOf([wfp, stopped])).toBe(3 * DAY);
    clocks.caughtUp('aid.verifications.v1/0', STOPPED);
    expect(clocks.clockOf([wfp, stopped])).toBe(37 * DAY);
  });

  it('records pending on a lane hold every source on it (AIS, lane scope); an HTTP input never counts as delivering', () => {
    const clocks = new InputClocks(6 * HOUR);
    const quiet = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/1'));
    const busy = clocks.input(inputIdOf(OTHER, 'ais.positions.v1/1'));
    clocks.observe(quiet, 0, 0, 0);
    // Another source on the same partition, read from a backlog: the quiet receiver may be among what follows.
    for (let h = 1; h <= 20; h++) clocks.observe(busy, h * HOUR, 0, 100 - h);
    expect(clocks.isIdle(quiet)).toBe(false);
    clocks.observe(busy, 21 * HOUR, 0, 0);
    expect(clocks.isIdle(quiet)).toBe(true);
    const http = new InputClocks(6 * HOUR);
    const a = http.input(RECEIVER);
    http.observe(a, 0, 0, 5);
    http.observe(http.input(OTHER), 10 * HOUR, 0, 0);
    expect(http.isIdle(a)).toBe(true);
  });

  it('an idle consignment input is held again while any partition has records pending, and released after', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const field = clocks.input(inputIdOf(FIELD, 'aid.deliveries.v1/0'));
    const logistics = clocks.input(inputIdOf(LOGISTICS, 'aid.consignments.v1/0'));
    clocks.observe(field, 0, 0, 0);
    clocks.observe(logistics, 4 * DAY, 0, 0);
    clocks.caughtUp('aid.deliveries.v1/0', STOPPED);
    expect(clocks.isIdle(field)).toBe(true);
    // A burst is produced: the logistics partition is read with records pending.
    expect(clocks.observe(logistics, 5 * DAY, 0, 10)).toBe(true);
    expect(clocks.isIdle(field)).toBe(false);
    expect(clocks.clockOf([field, logistics])).toBe(0);
    expect(clocks.observe(logistics, 6 * DAY, 0, 0)).toBe(true);
    expect(clocks.isIdle(field)).toBe(true);
    expect(clocks.clockOf([field, logistics])).toBe(6 * DAY);
    expect(clocks.effective(field)).toBe(3 * DAY);
  });

  it('keeps the pending state in checkpoints; an older checkpoint without it has none pending', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const monitors = clocks.input(inputIdOf(MONITORS, 'aid.verifications.v1/0'));
    const logistics = clocks.input(inputIdOf(LOGISTICS, 'aid.consignments.v1/0'));
    clocks.observe(monitors, 0, 0, 7);
    clocks.observe(logistics, 0, 0, 0);
    const saved = JSON.parse(JSON.stringify(clocks.toJSON())) as ReturnType<InputClocks['toJSON']>;
    expect(saved.find((s) => s.id === monitors.id)?.delivering).toBe(true);
    const restored = InputClocks.fromJSON(saved, 3 * DAY, 'all');
    const back = restored.input(monitors.id);
    restored.observe(restored.input(logistics.id), 10 * DAY, 0, 0);
    expect(restored.isIdle(back)).toBe(false);
    const older = InputClocks.fromJSON(
      saved.map(({ delivering: _, ...rest }) => rest),
      3 * DAY,
      'all',
    );
    older.observe(older.input(logistics.id), 10 * DAY, 0, 0);
    older.caughtUp('aid.verifications.v1/0', STOPPED);
    expect(older.isIdle(older.input(monitors.id))).toBe(true);
  });

  it('keeps a stopped partition in checkpoints until it delivers again', () => {
    const clocks = new InputClocks(3 * DAY, 'all');
    const monitors = clocks.input(inputIdOf(MONITORS, 'aid.verifications.v1/0'));
    const logistics = clocks.input(inputIdOf(LOGISTICS, 'aid.consignments.v1/0'));
    clocks.observe(monitors, 0, 0, 0);
    clocks.observe(logistics, 0, 0, 0);
    clocks.caughtUp('aid.verifications.v1/0', STOPPED);
    const saved = JSON.parse(JSON.stringify(clocks.toJSON())) as ReturnType<InputClocks['toJSON']>;
    expect(saved.find((s) => s.id === monitors.id)?.stopped).toBe(true);
    const restored = InputClocks.fromJSON(saved, 3 * DAY, 'all');
    restored.observe(restored.input(logistics.id), 10 * DAY, 0, 0);
    expect(restored.isIdle(restored.input(monitors.id))).toBe(true);
  });
});

describe('input clocks: what an input delivered itself', () => {
  it('a caught-up marker moves the watermark to the source’s other partitions, not what the input delivered; a checkpoint keeps both', () => {
    const clocks = new InputClocks(6 * HOUR);
    const behind = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/1'));
    const ahead = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/0'));
    clocks.observe(behind, 2 * HOUR, 0);
    clocks.observe(ahead, 40 * HOUR, 0);
    expect(clocks.caughtUp('ais.positions.v1/1', 3_600_000)).toBe(true);
    expect(behind.watermark).toBe(40 * HOUR);
    expect(behind.delivered).toBe(2 * HOUR);
    expect(ahead.delivered).toBe(40 * HOUR);
    const restored = InputClocks.fromJSON(clocks.toJSON(), 6 * HOUR);
    expect(restored.input(behind.id).delivered).toBe(2 * HOUR);
    expect(restored.input(behind.id).watermark).toBe(40 * HOUR);
    // An older checkpoint, written before it was kept: what it delivered counts as its watermark.
    const older = clocks.toJSON().map(({ delivered: _delivered, ...rest }) => rest);
    expect(InputClocks.fromJSON(older, 6 * HOUR).input(behind.id).delivered).toBe(40 * HOUR);
  });

  it('a close covers the time it names on its own lane', () => {
    const clocks = new InputClocks(6 * HOUR);
    const input = clocks.input(inputIdOf(RECEIVER, 'ais.positions.v1/0'));
    clocks.observe(input, HOUR, 0);
    clocks.close(RECEIVER, 5 * HOUR, 'ais.positions.v1/0');
    expect(input.delivered).toBe(5 * HOUR);
  });
});
