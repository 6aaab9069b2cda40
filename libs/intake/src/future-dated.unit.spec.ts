import { vesselPosition, consignmentLoaded } from '@aidwatch/domain/testing';
import { futureDatedProblems } from './future-dated';

const received = Date.parse('2026-06-12T12:00:00Z');
const skew = 300_000;

describe('futureDatedProblems', () => {
  it('accepts events dated up to the received time plus the allowed skew', () => {
    const at = new Date(received + skew).toISOString();
    expect(futureDatedProblems(vesselPosition({ time: at, data: { at } }), received, skew)).toEqual([]);
    const old = '2024-04-25T00:00:00Z';
    expect(futureDatedProblems(vesselPosition({ time: old, data: { at: old } }), received, skew)).toEqual([]);
  });

  it('names each event-time field dated later, with the received time and the skew', () => {
    const late = new Date(received + skew + 1).toISOString();
    const problems = futureDatedProblems(
      consignmentLoaded({ time: '9999-01-01T00:00:00Z', data: { at: late } }),
      received,
      skew,
    );
    expect(problems.map((p) => p.field)).toEqual(['time', 'data.at']);
    expect(problems[0].message).toBe(
      '9999-01-01T00:00:00Z is later than the time received (2026-06-12T12:00:00.000Z) plus the allowed ' +
        'clock skew of 300 s (MAX_FUTURE_SKEW)',
    );
  });
});
