import fc from 'fast-check';
import { isISO8601, isRFC3339 } from 'class-validator';
import { isEventTime } from './field-rules';

/** What isEventTime meant before its fast path: the two general validators. */
const general = (value: string) => isRFC3339(value) && isISO8601(value, { strict: true });

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
/** Date-times near the common form: every field may step out of range, and the separators vary. */
const nearlyCommon = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, '0')),
      fc.constant('2024'),
    ),
    two(13),
    two(32),
    fc.constantFrom('T', 't', ' ', 'T'),
    two(24),
    two(60),
    two(61),
    fc.option(fc.stringMatching(/^[.,]\d{0,10}$/), { nil: '' }),
    fc.oneof(
      fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+0530', '+05'),
      fc.tuple(fc.constantFrom('+', '-'), two(25), two(61)).map(([sign, h, m]) => `${sign}${h}:${m}`),
    ),
  )
  .map(([y, mo, d, t, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${fraction}${zone}`);

describe('isEventTime', () => {
  it('agrees with the general RFC 3339 and strict ISO 8601 validators on date-times near the common form', () => {
    fc.assert(
      fc.property(nearlyCommon, (value) => isEventTime(value) === general(value)),
      { numRuns: 20_000 },
    );
  });

  it('agrees with them on any string', () => {
    fc.assert(
      fc.property(fc.string(), (value) => isEventTime(value) === general(value)),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2024-02-29T12:00:00Z', true],
    ['2023-02-29T12:00:00Z', false],
    ['1900-02-29T12:00:00Z', false],
    ['2000-02-29T12:00:00Z', true],
    ['2024-04-31T00:00:00Z', false],
    ['2024-12-31T23:59:59.123456789+14:00', true],
    ['0099-01-01T00:00:00Z', false],
    ['2024-12-31T23:59:59.123456789+13:59', true],
    ['2024-06-01T06:00:00', false],
  ])('%s → %s', (value, expected) => {
    expect(isEventTime(value)).toBe(general(value));
    expect(isEventTime(value)).toBe(expected);
  });
});
