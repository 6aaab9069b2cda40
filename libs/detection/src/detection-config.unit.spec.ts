import { detectionConfigFrom, detectionSettingNames, UnknownThresholdError } from './detection-config';

describe('detection settings from the environment', () => {
  it('names every numeric threshold of both rule sets', () => {
    expect(detectionSettingNames()).toEqual(
      expect.arrayContaining([
        'SHRINKAGE_TOLERANCE_PCT',
        'DISTRIBUTION_WINDOW_DAYS',
        'VERIFICATION_DUE_DAYS',
        'ALLOWED_LATENESS_HOURS',
        'ACCESS_DENIED_ESCALATION_COUNT',
        'SITE_RADIUS_SLACK_KM',
        'OVER_AUTHORISATION_TOLERANCE_PCT',
        'AIS_GAP_MIN_GAP_HOURS',
        'ENCOUNTER_MAX_DISTANCE_M',
        'LOITERING_MIN_DURATION_HOURS',
        'RESAMPLE_MINUTES',
      ]),
    );
  });

  it('applies overrides over the defaults and leaves the rest alone', () => {
    const config = detectionConfigFrom({ SHRINKAGE_TOLERANCE_PCT: 3.5, ENCOUNTER_MAX_DISTANCE_M: 300 });
    expect(config.diversion.shrinkageTolerancePct).toBe(3.5);
    expect(config.maritime.encounter.maxDistanceM).toBe(300);
    expect(config.maritime.encounter.minDurationHours).toBe(2);
    expect(detectionConfigFrom().maritime.encounter.maxDistanceM).toBe(500);
  });

  it('rejects a setting it does not know, naming the known ones', () => {
    expect(() => detectionConfigFrom({ SHRINKAGE_TOLERANCE: 3 })).toThrow(UnknownThresholdError);
    expect(() => detectionConfigFrom({ SHRINKAGE_TOLERANCE: 3 })).toThrow(
      /DETECTION_SHRINKAGE_TOLERANCE_PCT/,
    );
  });
});
