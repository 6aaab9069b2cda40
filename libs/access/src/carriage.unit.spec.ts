import * as fc from 'fast-check';
import { carriageWindows, CARRIAGE_MARGIN_MS, meets, widened, within } from './carriage';

const H = 3_600_000;
const none = { loads: [], departures: [], discharges: [], custody: [] };

describe('carriage windows', () => {
  it('runs from a load onto the vessel to the discharge', () => {
    const facts = { ...none, loads: [{ time: 10 * H, vesselMmsi: 'V' }], discharges: [{ time: 20 * H }] };
    expect(carriageWindows(facts, 'V')).toEqual([{ from: 10 * H, to: 20 * H }]);
    expect(carriageWindows(facts, 'W')).toEqual([]);
  });

  it('stays open while the aid is aboard, and a handover closes it like a discharge', () => {
    expect(carriageWindows({ ...none, loads: [{ time: 5, vesselMmsi: 'V' }] }, 'V')).toEqual([
      { from: 5, to: Infinity },
    ]);
    expect(
      carriageWindows({ ...none, loads: [{ time: 5, vesselMmsi: 'V' }], custody: [{ time: 9 }] }, 'V'),
    ).toEqual([{ from: 5, to: 9 }]);
  });

  it('opens at a departure on the registered vessel when no load was recorded, and not before', () => {
    const facts = { ...none, registeredMmsi: 'V', departures: [{ time: 7 }], discharges: [{ time: 12 }] };
    expect(carriageWindows(facts, 'V')).toEqual([{ from: 7, to: 12 }]);
    expect(carriageWindows({ ...none, registeredMmsi: 'V' }, 'V')).toEqual([]);
  });

  it('a load onto another vessel ends the window on the first', () => {
    const facts = {
      ...none,
      loads: [
        { time: 1, vesselMmsi: 'V' },
        { time: 4, vesselMmsi: 'W' },
      ],
    };
    expect(carriageWindows(facts, 'V')).toEqual([{ from: 1, to: 4 }]);
    expect(carriageWindows(facts, 'W')).toEqual([{ from: 4, to: Infinity }]);
  });

  it('widens by the margin; within and meets read closed intervals', () => {
    const [w] = widened([{ from: 10 * H, to: 20 * H }]);
    expect(w).toEqual({ from: 10 * H - CARRIAGE_MARGIN_MS, to: 20 * H + CARRIAGE_MARGIN_MS });
    expect(within([w], 9.5 * H)).toBe(true);
    expect(within([w], 8.9 * H)).toBe(false);
    expect(meets([w], 0, 9 * H)).toBe(true);
    expect(meets([w], 0, 8 * H)).toBe(false);
  });

  it('never shows a time before the first load onto the vessel, nor after the last closing step', () => {
    const step = fc.record({
      time: fc.integer({ min: 0, max: 1000 }),
      vesselMmsi: fc.constantFrom('V', 'W'),
    });
    const times = fc.array(fc.record({ time: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 5 }), times, times, (loads, departures, discharges) => {
        const windows = carriageWindows({ ...none, loads, departures, discharges }, 'V');
        const firstLoad = Math.min(...loads.filter((l) => l.vesselMmsi === 'V').map((l) => l.time));
        for (const w of windows) {
          expect(w.from).toBeGreaterThanOrEqual(firstLoad);
          expect(w.to).toBeGreaterThanOrEqual(w.from);
        }
        if (!loads.some((l) => l.vesselMmsi === 'V')) expect(windows).toEqual([]);
      }),
    );
  });
});
