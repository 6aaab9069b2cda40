import { defaultMaritimeConfig, type MaritimeConfig } from './maritime-config';
import { MaritimeDetector } from './maritime-detector';
import type { VesselRule } from './vessel-rule';
import { VesselRules } from './vessel-rules';
import { VesselReports, type VesselReportsContext } from './vessel-reports';

/** The port search of samples as `VesselReports` derives it from these rules and the port visit. */
function searchOf(rules: ReadonlyArray<VesselRule<unknown>>, config: MaritimeConfig = defaultMaritimeConfig) {
  const ctx = { config, hooks: new VesselRules(rules) } as unknown as VesselReportsContext;
  const reports = new VesselReports(ctx);
  return { slowKn: reports.slowKn, portSearchKm: reports.portSearchKm };
}

const portReader = (belowKn: number, withinKm: number): VesselRule<null> => ({
  name: 'portReader',
  portSearch: { belowKn, withinKm },
  initialState: () => null,
  toJSON: () => undefined,
  fromJSON: () => null,
});

describe('the nearest-port search of samples, from the rules that read it', () => {
  const rules = new MaritimeDetector().rules;

  it('is the fastest speed and the farthest distance the rules declare and the port visit asks', () => {
    const c = defaultMaritimeConfig;
    const declared = rules.flatMap((rule) => (rule.portSearch ? [rule.portSearch] : []));
    expect(searchOf(rules)).toEqual({
      slowKn: Math.max(c.portVisit.maxSpeedKn, ...declared.map((d) => d.belowKn)),
      portSearchKm: Math.max(c.portVisit.enterKm, c.portVisit.exitKm, ...declared.map((d) => d.withinKm)),
    });
  });

  it('holds what the loitering and encounter rules read: slow samples away from port, by their thresholds', () => {
    const c = defaultMaritimeConfig;
    const byName = new Map(rules.map((rule) => [rule.name, rule.portSearch]));
    expect(byName.get('loitering')).toEqual({
      belowKn: c.loitering.maxSpeedKn,
      withinKm: c.loitering.minPortDistanceKm,
    });
    expect(byName.get('encounter')).toEqual({
      belowKn: c.encounter.maxMedianSpeedKn,
      withinKm: c.encounter.minPortDistanceKm,
    });
  });

  it('follows each rule’s thresholds as configured', () => {
    const config: MaritimeConfig = {
      ...defaultMaritimeConfig,
      loitering: { ...defaultMaritimeConfig.loitering, maxSpeedKn: 9, minPortDistanceKm: 120 },
    };
    const configured = new MaritimeDetector(config).rules;
    expect(configured.find((rule) => rule.name === 'loitering')?.portSearch).toEqual({
      belowKn: 9,
      withinKm: 120,
    });
    expect(searchOf(configured, config).portSearchKm).toBeGreaterThanOrEqual(120);
  });

  it('a new rule that declares its search widens it: one file, no edit here', () => {
    expect(searchOf([...rules, portReader(30, 400)])).toEqual({ slowKn: 30, portSearchKm: 400 });
    // A narrower declaration changes nothing.
    expect(searchOf([...rules, portReader(0.1, 1)])).toEqual(searchOf(rules));
  });
});
