import * as fc from 'fast-check';
import {
  AidwatchMetrics,
  boundedInputs,
  DEFAULT_METRICS_LEFT_OUT,
  MAX_INPUT_SERIES,
  OTHER_INPUT,
  type InputClock,
} from './metrics';

const clock = (detector: string, input: string, events: number, watermark: number | null, late = 0) => ({
  detector,
  input,
  events,
  watermark,
  late,
});

describe('per-input gauges keep a bounded label set', () => {
  it('keeps the busiest inputs and folds the rest into input="other" with the oldest watermark', () => {
    const inputs = [
      clock('maritime', 'nmea:busy', 100, 5_000),
      clock('maritime', 'nmea:quiet', 1, 1_000, 2),
      clock('maritime', 'nmea:quieter', 0, null, 1),
      clock('diversion', '/wfp', 3, 9_000),
    ];
    expect(boundedInputs(inputs, 1)).toEqual([
      clock('maritime', 'nmea:busy', 100, 5_000),
      { detector: 'maritime', input: OTHER_INPUT, events: 1, watermark: 1_000, late: 3 },
      clock('diversion', '/wfp', 3, 9_000),
    ]);
    expect(boundedInputs(inputs.slice(0, 1), 1)).toEqual(inputs.slice(0, 1));
  });

  it('whatever producers choose: at most max + 1 series per detector, events and late events conserved', () => {
    const anInput = fc.record({
      detector: fc.constantFrom('maritime', 'diversion'),
      input: fc.oneof(fc.string({ maxLength: 12 }), fc.constant(OTHER_INPUT)),
      events: fc.nat(1_000),
      watermark: fc.option(fc.integer({ min: 0, max: 2e12 }), { nil: null }),
      late: fc.nat(50),
    });
    fc.assert(
      fc.property(fc.array(anInput, { maxLength: 80 }), fc.integer({ min: 1, max: 25 }), (raw, max) => {
        // The engine reports each (detector, input) once.
        const seen = new Set<string>();
        const inputs: InputClock[] = raw.filter((i) => {
          const key = `${i.detector}\u0000${i.input}`;
          return !seen.has(key) && seen.add(key);
        });
        const out = boundedInputs(inputs, max);
        for (const detector of ['maritime', 'diversion']) {
          const mine = inputs.filter((i) => i.detector === detector);
          const series = out.filter((i) => i.detector === detector);
          expect(series.length).toBeLessThanOrEqual(max + 1);
          expect(new Set(series.map((i) => i.input)).size).toBe(series.length);
          const sum = (list: InputClock[], f: 'events' | 'late') => list.reduce((s, i) => s + i[f], 0);
          expect(sum(series, 'events')).toBe(sum(mine, 'events'));
          expect(sum(series, 'late')).toBe(sum(mine, 'late'));
          // The oldest watermark survives (a lagging input is never hidden by folding).
          const oldest = (list: InputClock[]) => Math.min(...list.map((i) => i.watermark ?? Infinity));
          expect(oldest(series)).toBe(oldest(mine));
        }
      }),
    );
  });

  it('the gauges themselves carry at most MAX_INPUT_SERIES + 1 inputs however many sources send', async () => {
    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    metrics.watchInputs(() =>
      Array.from({ length: 500 }, (_, n) => clock('maritime', `urn:producer:${n}`, n, 1_700_000_000_000 + n)),
    );
    const text = await metrics.text();
    const series = text.split('\n').filter((l) => l.startsWith('aidwatch_input_watermark_seconds{'));
    expect(series).toHaveLength(MAX_INPUT_SERIES + 1);
    expect(text).toContain(`aidwatch_input_watermark_seconds{detector="maritime",input="other"} 1700000000`);
  });
});

describe('default metrics', () => {
  it('leave out the gauges named like counters, keep the per-type ones', async () => {
    const text = await new AidwatchMetrics().text();
    for (const name of DEFAULT_METRICS_LEFT_OUT) expect(text).not.toContain(`${name} `);
    expect(text).toContain('# TYPE nodejs_active_handles gauge');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
  });
});

describe('audit chain gauge', () => {
  it('is absent until a verification ran, then holds its result (an alert rule reads 0 as broken)', async () => {
    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    expect(await metrics.text()).not.toContain('aidwatch_audit_chain_intact');
    metrics.verified(true);
    expect(await metrics.text()).toContain('aidwatch_audit_chain_intact 1');
    metrics.verified(false);
    expect(await metrics.text()).toContain('aidwatch_audit_chain_intact 0');
    expect(await metrics.text()).toContain('aidwatch_audit_verifications_total{result="broken"} 1');
  });
});

describe('projection lag', () => {
  it('is measured at each scrape for the projections watched, and gone once unwatched', async () => {
    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    let lag = 12.5;
    const unwatch = metrics.watchProjectionLag('detection-v9', async () => lag);
    metrics.watchProjectionLag('read-model', async () => {
      throw new Error('store unreachable');
    });
    expect(await metrics.text()).toContain('aidwatch_projection_lag_seconds{projection="detection-v9"} 12.5');
    lag = 0;
    expect(await metrics.text()).toContain('aidwatch_projection_lag_seconds{projection="detection-v9"} 0');
    // A measurement that fails leaves no made-up value.
    expect(await metrics.text()).not.toContain('projection="read-model"');
    unwatch();
    expect(await metrics.text()).not.toContain('projection="detection-v9"');
  });

  it('a standing-by process exports no detector gauges until it runs a detector', async () => {
    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    expect(await metrics.text()).not.toContain('aidwatch_detector_active');
    metrics.detectorActive.set(1);
    expect(await metrics.text()).toMatch(/^aidwatch_detector_active 1$/m);
  });
});
