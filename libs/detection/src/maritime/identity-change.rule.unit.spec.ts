import { imoCheckDigitValid, normaliseImo, normaliseText } from './identity-change.rule';
import {
  hours,
  MaritimeScenario,
  minutes,
  OPEN_SEA,
  offsetKm,
  position,
  staticReport,
} from './testing/maritime-scenario';

const DPRK = '445777000';
const PANAMA = '352777000';
const VALID_IMO = '9074729';

describe('identity-change rule', () => {
  it('flags a new name for one MMSI, once per pair of names', () => {
    const s = new MaritimeScenario().feed([
      staticReport(DPRK, hours(1), { name: 'CHON MA SAN' }),
      staticReport(DPRK, hours(2), { name: 'chon ma san@@@' }),
      staticReport(DPRK, hours(3), { name: 'XIN YUAN 18' }),
      staticReport(DPRK, hours(4), { name: 'CHON MA SAN' }),
    ]);
    const flags = s.flags('identity-change');
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ observed: { field: 'name', from: 'CHON MA SAN', to: 'XIN YUAN 18' } });
    expect(flags[0].explanation).toBe(
      'MMSI 445777000 now reports the name XIN YUAN 18, previously CHON MA SAN.',
    );
  });

  it('flags new call signs and IMO numbers but not fields a report leaves out', () => {
    const s = new MaritimeScenario().feed([
      staticReport(DPRK, hours(1), { callsign: 'HMXY', imo: VALID_IMO }),
      staticReport(DPRK, hours(2), { name: 'CHON MA SAN' }),
      staticReport(DPRK, hours(3), { callsign: 'HMZZ', imo: '9230880' }),
    ]);
    expect(s.flags('identity-change').map((f) => f.observed.field)).toEqual(['callsign', 'imo']);
  });

  it('flags an IMO number that fails its check digit', () => {
    expect(imoCheckDigitValid(VALID_IMO)).toBe(true);
    expect(imoCheckDigitValid('9074728')).toBe(false);
    const s = new MaritimeScenario().feed([staticReport(DPRK, hours(1), { imo: 'IMO 9074728' })]);
    expect(s.flags('identity-change')).toEqual([
      expect.objectContaining({ observed: { imo: '9074728', aidOnBoard: false } }),
    ]);
  });

  it('flags one IMO on two MMSIs: high when both transmit within a day, medium after a re-registration', () => {
    const together = new MaritimeScenario().feed([
      staticReport(DPRK, hours(1), { imo: VALID_IMO }),
      position(DPRK, hours(5), OPEN_SEA, 8),
      staticReport(PANAMA, hours(20), { imo: VALID_IMO }),
    ]);
    expect(together.flags('identity-change')).toEqual([
      expect.objectContaining({ subject: { kind: 'vessel', id: PANAMA }, severity: 'high' }),
    ]);
    expect(together.flags('identity-change')[0].explanation).toBe(
      'MMSI 352777000 (PA) reports IMO 9074729, also reported by MMSI 445777000 (KP), last seen 15 h earlier ' +
        'at 2026-11-20 05:00 UTC: two transponders claim one hull.',
    );

    const later = new MaritimeScenario().feed([
      staticReport(DPRK, hours(1), { imo: VALID_IMO }),
      staticReport(PANAMA, hours(24 * 40), { imo: VALID_IMO }),
    ]);
    expect(later.flags('identity-change')).toEqual([
      expect.objectContaining({
        severity: 'medium',
        observed: expect.objectContaining({ concurrent: false }),
      }),
    ]);
  });

  it('flags a flag that contradicts the MMSI', () => {
    const s = new MaritimeScenario().feed([
      staticReport(DPRK, hours(1), { flag: 'KP' }),
      staticReport(PANAMA, hours(1), { flag: 'pa' }),
      staticReport(DPRK, hours(2), { flag: 'SL' }),
    ]);
    const keys = s.flags('identity-change').map((f) => f.observed);
    expect(keys).toEqual([
      expect.objectContaining({ field: 'flag', from: 'KP', to: 'SL' }),
      expect.objectContaining({ flag: 'SL', mmsiFlagState: 'KP' }),
    ]);
  });

  describe('impossible jumps (implied speed above 30 kn)', () => {
    const jump = (km: number, afterMinutes: number, shipType?: number) =>
      new MaritimeScenario().feed([
        ...(shipType === undefined ? [] : [staticReport(DPRK, minutes(-1), { shipType })]),
        position(DPRK, minutes(0), OPEN_SEA, 10),
        position(DPRK, minutes(afterMinutes), offsetKm(OPEN_SEA, km, 0), 10),
      ]);

    it('flags 29 km in 30 min (31 kn) but not 27 km (29 kn)', () => {
      expect(jump(29, 30).flags('identity-change')).toHaveLength(1);
      expect(jump(27, 30).flags('identity-change')).toEqual([]);
    });

    it('explains the jump', () => {
      expect(jump(150, 10).flags('identity-change')[0].explanation).toBe(
        'MMSI 445777000 jumped 150 km in 10 min to 36.50°N 125.17°E (implied 486 kn, above 30 kn): ' +
          'a spoofed position or an MMSI used by two ships.',
      );
    });

    it('allows high-speed craft up to 60 kn', () => {
      expect(jump(40, 30, 40).flags('identity-change')).toEqual([]);
      expect(jump(60, 30, 40).flags('identity-change')).toHaveLength(1);
    });

    it('raises once per 6 h for an MMSI that keeps jumping between two places', () => {
      const here = OPEN_SEA;
      const there = offsetKm(OPEN_SEA, 200, 0);
      const flipping = Array.from({ length: 24 }, (_, i) =>
        position(DPRK, minutes(i * 30), i % 2 ? there : here, 10),
      );
      expect(new MaritimeScenario().feed(flipping).flags('identity-change')).toHaveLength(2);
    });
  });

  it('normalises AIS text and IMO numbers', () => {
    expect(normaliseText(' kum@un  san 3@@@ ')).toBe('KUM UN SAN 3');
    expect(normaliseText('@@@')).toBeNull();
    expect(normaliseImo('IMO9074729')).toBe('9074729');
    expect(normaliseImo('0')).toBeNull();
    expect(normaliseImo('0000000')).toBeNull();
  });
});
