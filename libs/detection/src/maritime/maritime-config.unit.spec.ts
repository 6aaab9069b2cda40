import { defaultMaritimeConfig, maritimeConfig } from './maritime-config';

describe('maritime config', () => {
  it('defaults to the Global Fishing Watch thresholds', () => {
    expect(defaultMaritimeConfig.encounter).toMatchObject({
      maxDistanceM: 500,
      minDurationHours: 2,
      maxMedianSpeedKn: 2,
      minPortDistanceKm: 10,
      mergeGapHours: 4,
    });
    expect(defaultMaritimeConfig.resampleMinutes).toBe(10);
    expect(defaultMaritimeConfig.loitering).toMatchObject({ maxSpeedKn: 2, minDurationHours: 4 });
    expect(defaultMaritimeConfig.aisGap.minGapHours).toBe(12);
    expect(defaultMaritimeConfig.identityChange.impossibleSpeedKn).toBe(30);
  });

  it('overrides section by section and keeps the rest', () => {
    const config = maritimeConfig({ loitering: { minDurationHours: 2 }, resampleMinutes: 5 });
    expect(config.loitering).toEqual({ ...defaultMaritimeConfig.loitering, minDurationHours: 2 });
    expect(config.resampleMinutes).toBe(5);
    expect(config.encounter).toEqual(defaultMaritimeConfig.encounter);
  });

  it('rejects negative or non-finite numbers', () => {
    expect(() => maritimeConfig({ aisGap: { minGapHours: -1 } })).toThrow('aisGap.minGapHours');
    expect(() => maritimeConfig({ lateToleranceMinutes: Number.NaN })).toThrow('lateToleranceMinutes');
  });
});
