import { DEFAULT_PORTS_SOURCE, SIMULATOR_SOURCE } from '@aidwatch/maritime';
import { demoGrants, isDemoKeyLabel, shortOrganisationName } from './demo-credentials';
import { demoScenario } from './demo-scenario';

describe('demo credentials', () => {
  const grants = demoGrants(demoScenario());

  it('the shared producer (tenant=*) may write what `npm run simulate -- --to http://…` sends', () => {
    const shared = grants.find((g) => g.role === 'producer' && g.tenantLabel === '*');
    expect(shared?.sources).toEqual(expect.arrayContaining([SIMULATOR_SOURCE, DEFAULT_PORTS_SOURCE]));
    expect(shared?.tenant).toBeUndefined();
  });

  it('gives each key its own label, the organisation by its initials', () => {
    const labels = grants.map((g) => g.label);
    expect(new Set(labels).size).toBe(grants.length);
    expect(labels).toEqual(
      expect.arrayContaining([
        'operator (demo)',
        'admin (demo)',
        'shared feeds producer (demo)',
        'WFP dashboard (demo)',
        'WFP producer (demo)',
        'WFP monitor (demo)',
      ]),
    );
    expect(labels.every((l) => isDemoKeyLabel(l))).toBe(true);
    expect(isDemoKeyLabel('demo')).toBe(true);
    expect(isDemoKeyLabel('WFP Pyongyang desk')).toBe(false);
    expect(shortOrganisationName('UNICEF')).toBe('UNICEF');
  });

  it("no organisation's producer may write the simulator's feed", () => {
    for (const g of grants.filter((g) => g.role === 'producer' && g.tenantLabel !== '*'))
      expect(g.sources).not.toContain(SIMULATOR_SOURCE);
  });
});
