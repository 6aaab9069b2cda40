import { aboardSince, aboardWindow, eventTimeOf, mostAboardAtOnce } from './aboard';

describe('aboard (the one rule of what is aboard a vessel)', () => {
  const facts = (o: Partial<Parameters<typeof aboardWindow>[0]> = {}) => ({
    loads: [],
    departures: [],
    discharges: [],
    ...o,
  });

  it('opens at the earliest load onto the vessel; a load without a vessel is onto the registered one', () => {
    const f = facts({
      registeredMmsi: 'A',
      loads: [
        { time: 5, vesselMmsi: '' },
        { time: 3, vesselMmsi: 'B' },
      ],
    });
    expect([aboardSince(f, 'A'), aboardSince(f, 'B'), aboardSince(f, 'C')]).toEqual([5, 3, Infinity]);
  });

  it('with no load at all, opens at the earliest departure on the registered vessel', () => {
    const f = facts({ registeredMmsi: 'A', departures: [{ time: 9 }, { time: 7 }] });
    expect(aboardWindow(f, 'A')).toEqual({ from: 7, to: Infinity });
    expect(aboardWindow({ ...f, loads: [{ time: 8, vesselMmsi: 'B' }] }, 'A')).toBeUndefined();
  });

  it('closes at the first discharge dated at or after it opened; earlier ones close nothing', () => {
    const f = facts({
      loads: [{ time: 10, vesselMmsi: 'A' }],
      discharges: [{ time: 4 }, { time: 30 }, { time: 10 }],
    });
    expect(aboardWindow(f, 'A')).toEqual({ from: 10, to: 10 });
    expect(aboardWindow({ ...f, discharges: [{ time: 4 }] }, 'A')).toEqual({ from: 10, to: Infinity });
  });

  it('counts the most at one moment; half-open windows that touch do not overlap; bound ones join the open', () => {
    expect(mostAboardAtOnce([])).toBe(0);
    expect(mostAboardAtOnce([], 3)).toBe(3);
    const closed = [
      { from: 0, to: 10 },
      { from: 5, to: 15 },
      { from: 10, to: 20 },
    ];
    expect(mostAboardAtOnce(closed)).toBe(2);
    expect(mostAboardAtOnce(closed, 1)).toBe(2);
    expect(mostAboardAtOnce([...closed, { from: 30, to: Infinity }], 1)).toBe(2);
    expect(mostAboardAtOnce([...closed, { from: 30, to: Infinity }], 2)).toBe(3);
    expect(mostAboardAtOnce([{ from: 7, to: 7 }])).toBe(0);
  });

  it('takes `data.at` as the event time, else the envelope time', () => {
    expect(eventTimeOf({ time: '2024-03-01T00:00:00Z', data: { at: '2024-03-02T00:00:00Z' } })).toBe(
      Date.parse('2024-03-02T00:00:00Z'),
    );
    expect(eventTimeOf({ time: '2024-03-01T00:00:00Z', data: { at: 'soon' } })).toBe(
      Date.parse('2024-03-01T00:00:00Z'),
    );
  });
});
